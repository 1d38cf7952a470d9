"""Search and similar mistakes over a seeded library of 1 000 000 mistakes (50 000 when quick).

``run(quick)`` builds the data set once with bulk inserts (kept in the data directory the bench
gives it, ``var/bench/search/`` by default), then measures, in the same run:

- ``ownup``'s search as a person uses it (visibility, ranking, highlights) against a raw FTS5
  query of the same words on the same index, the ceiling it must stay within 2 times of;
- the similar mistakes shown while a new report is typed.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.rows import Row, percentile, row

SEED = 20260301
FULL_SIZE = 1_000_000
QUICK_SIZE = 50_000
BATCH = 20_000
SEARCH_P95_MS = 50.0
RAW_RATIO = 2.0
SIMILAR_P95_MS = 200.0

ACTS = [
    "Sent the {thing} to the wrong {who}",
    "Deleted the shared {thing} folder while tidying up",
    "Deployed the {thing} change without the new {part}",
    "Missed the {thing} deadline for the {who}",
    "Billed the {who} twice for the {thing}",
    "Restored the {thing} backup over live {part}",
    "Shipped {thing} orders to the old {part}",
    "Gave the {who} the wrong {thing} {part}",
    "Forgot to renew the {thing} {part}",
    "Published the {thing} report with last year's {part}",
]
THINGS = [
    "invoice",
    "payroll",
    "checkout",
    "VAT",
    "contracts",
    "warehouse",
    "pricing",
    "insulin",
    "dosage",
    "certificate",
    "newsletter",
    "database",
    "firewall",
    "release",
    "passwords",
    "timesheet",
    "refund",
    "catalogue",
    "tender",
    "audit",
    "shipment",
    "label",
    "rota",
    "prescription",
    "ledger",
    "quote",
    "forecast",
    "survey",
    "mailing",
    "licence",
    "domain",
]
WHO = [
    "customer",
    "supplier",
    "regulator",
    "patient",
    "team",
    "auditor",
    "partner",
    "tenant",
    "student",
    "agency",
]
PARTS = [
    "keys",
    "prices",
    "address",
    "figures",
    "list",
    "settings",
    "data",
    "file",
    "version",
    "stamp",
]
TAGS = [
    "billing",
    "deploy",
    "documents",
    "pharmacy",
    "security",
    "payroll",
    "shipping",
    "reporting",
    "vendors",
    "legal",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "te",
    "vi",
    "do",
    "pa",
    "re",
    "ko",
    "li",
    "mu",
    "no",
    "fa",
    "ge",
    "hi",
    "ju",
    "zo",
]


def _vocabulary(chance: random.Random, size: int = 4000) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(chance.choice(SYLLABLES) for _ in range(chance.randint(2, 4)))] = None
    return list(words)


class Library:
    """The seeded words: the same seed gives the same mistakes and the same queries."""

    def __init__(self, seed: int = SEED) -> None:
        self.chance = random.Random(seed)
        self.vocabulary = _vocabulary(self.chance)
        # Zipf-like: a few words are everywhere, most are rare, as in real writing.
        self.cum_weights = list(
            itertools.accumulate(1 / (rank + 1) for rank in range(len(self.vocabulary)))
        )

    def title(self) -> str:
        c = self.chance
        return c.choice(ACTS).format(
            thing=c.choice(THINGS), who=c.choice(WHO), part=c.choice(PARTS)
        )

    def description(self) -> str:
        words = self.chance.choices(
            self.vocabulary, cum_weights=self.cum_weights, k=self.chance.randint(12, 40)
        )
        return " ".join(words).capitalize() + "."

    def tags(self) -> list[str]:
        return self.chance.sample(TAGS, self.chance.randint(0, 2))


def _data_dir() -> Path:
    return Path(os.environ.get("OWNUP_DATA_DIR", "var/bench/search")).resolve()


def _setup_django() -> None:
    from django.conf import settings

    if settings.configured:
        return
    os.environ.setdefault("OWNUP_DATA_DIR", str(_data_dir()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ownup.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _people() -> dict[str, Any]:
    from ownup.organisation.models import Role, Severity, Team
    from ownup.organisation.services import create_user, join_team

    teams = [Team.objects.get_or_create(slug=s, defaults={"name": s.title()})[0] for s in TEAMS]
    reader = _user("bench-reader", create_user)
    other = _user("bench-other", create_user)
    if not reader.memberships.exists():
        join_team(reader, teams[0], Role.RESPONDER)
        join_team(other, teams[1], Role.RESPONDER)
    if not Severity.objects.exists():
        Severity.objects.create(name="medium", rank=2)
    return {"teams": teams, "reader": reader, "other": other}


TEAMS = ["billing", "platform", "pharmacy"]


def _user(name: str, create: Callable[..., Any]) -> Any:
    from django.contrib.auth.models import User

    return User.objects.filter(username=name).first() or create(name, email=f"{name}@example.com")


def ensure_library(size: int) -> dict[str, Any]:
    """``size`` seeded mistakes with their search documents, built now unless already there."""
    from django.db import connection, transaction

    from ownup.learning.models import SearchDocument
    from ownup.organisation.models import Severity
    from ownup.reporting.models import Mistake

    people = _people()
    marker = _data_dir() / "search-dataset.json"
    wanted = {"seed": SEED, "size": size}
    built = marker.exists() and json.loads(marker.read_text()) == wanted
    if built and SearchDocument.objects.count() == size:
        return people
    library = Library()
    severity = Severity.objects.order_by("rank").first()
    assert severity is not None
    teams = [t.pk for t in people["teams"]]
    other = people["other"].pk
    start = datetime(2026, 3, 1, tzinfo=UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        Mistake.objects.all().delete()
        tag_ids = _tags(cursor)
        # The full-text triggers are set aside while loading, and the index built once at the
        # end: a million single-row FTS5 inserts would take minutes, one rebuild seconds.
        triggers = _set_triggers_aside(cursor)
        for first in range(1, size + 1, BATCH):
            mistakes, documents, tagged, restricted = [], [], [], []
            for pk in range(first, min(first + BATCH, size + 1)):
                title, description, tags = library.title(), library.description(), library.tags()
                roll = library.chance.random()
                kind = "open" if roll < 0.9 else "team" if roll < 0.96 else "restricted"
                when = start - timedelta(minutes=library.chance.randrange(3 * 365 * 24 * 60))
                at = when.strftime("%Y-%m-%d %H:%M:%S")
                mistakes.append(
                    (
                        pk,
                        title,
                        description,
                        at,
                        "self",
                        "",
                        severity.pk,
                        other,
                        other,
                        library.chance.choice(teams),
                        kind,
                        "reported",
                        at,
                    )
                )
                documents.append((pk, title, " ".join(tags), description, ""))
                tagged += [(pk, tag_ids[t]) for t in tags]
                if kind == "restricted":
                    restricted.append((pk, other))
            cursor.executemany(
                "INSERT INTO reporting_mistake (id, title, description, reported_at,"
                " discovered_by, harm, severity_id, reporter_id, owner_id, team_id,"
                " confidentiality, stage, updated_at) VALUES (" + ", ".join(["%s"] * 13) + ")",
                mistakes,
            )
            cursor.executemany(
                "INSERT INTO learning_searchdocument (mistake_id, title, tags, body,"
                " embedded_text) VALUES (%s, %s, %s, %s, %s)",
                documents,
            )
            cursor.executemany(
                "INSERT INTO reporting_mistake_tags (mistake_id, tag_id) VALUES (%s, %s)", tagged
            )
            cursor.executemany(
                "INSERT INTO reporting_mistake_restricted_to (mistake_id, user_id) VALUES (%s, %s)",
                restricted,
            )
        cursor.execute("INSERT INTO learning_search(learning_search) VALUES('rebuild')")
        for statement in triggers:
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("ANALYZE")
        cursor.execute("INSERT INTO learning_search(learning_search) VALUES('optimize')")
    marker.write_text(json.dumps(wanted))
    return people


def _tags(cursor: Any) -> dict[str, int]:
    from ownup.reporting.models import Tag

    return {name: Tag.objects.get_or_create(name=name)[0].pk for name in TAGS}


def _set_triggers_aside(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        " AND tbl_name = 'learning_searchdocument'"
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP TRIGGER {name}")
    return [sql for _, sql in found]


def _queries(count: int) -> list[str]:
    """What people type into the library: one to three words of past titles, some in quotes."""
    chance = random.Random(SEED + 1)
    library = Library(SEED + 2)
    queries = []
    for _ in range(count):
        words = [w for w in library.title().split() if len(w) > 3]
        picked = chance.sample(words, min(len(words), chance.choice([1, 2, 2, 3])))
        text = " ".join(picked)
        if chance.random() < 0.1:
            text = f'"{text}'  # an unbalanced quote, as people type them
        queries.append(text)
    return queries


def _timings[T](action: Callable[[T], object], inputs: list[T]) -> list[float]:
    took = []
    for text in inputs:
        started = time.perf_counter()
        action(text)
        took.append((time.perf_counter() - started) * 1000)
    return took


def p95(values: list[float]) -> float:
    return percentile(values, 0.95)


def _raw_fts5(text: str) -> list[Any]:
    from django.db import connection

    from ownup.learning.query import parse

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM learning_search WHERE learning_search MATCH %s"
            " ORDER BY rank LIMIT 20",
            [parse(text).fts5()],
        )
        return cursor.fetchall()


def run(quick: bool) -> list[Row]:
    _setup_django()
    from django.db import connection

    from ownup.learning import services
    from ownup.reporting.models import Mistake

    if connection.vendor != "sqlite":
        raise SystemExit("the search bench compares with raw FTS5: run it on SQLite")
    size = QUICK_SIZE if quick else FULL_SIZE
    started = time.perf_counter()
    people = ensure_library(size)
    built_s = time.perf_counter() - started
    reader = people["reader"]
    queries = _queries(60 if quick else 400)
    new_reports = Library(SEED + 3)
    titles = [new_reports.title() for _ in range(20 if quick else 100)]

    for text in queries[:10]:  # warm the page cache, as a running server has it
        services.search(reader, text)
        _raw_fts5(text)
    # Interleaved, so both see the same cache and the same machine load.
    ours, raw = [], []
    for text in queries:
        ours += _timings(lambda t: services.search(reader, t), [text])
        raw += _timings(_raw_fts5, [text])
    similar = _timings(lambda t: services.similar_to_text(reader, t), titles)
    # A mistake's page lists the mistakes like it: spread over the library, newest to oldest.
    ids = list(Mistake.objects.order_by("pk").values_list("pk", flat=True)[:: size // len(titles)])
    on_page = _timings(
        lambda pk: services.similar_to_mistake(reader, Mistake.objects.get(pk=pk)), ids
    )

    search_p95, raw_p95, similar_p95, page_p95 = p95(ours), p95(raw), p95(similar), p95(on_page)
    note = f"{size:,} mistakes".replace(",", " ") + f", {len(queries)} queries"
    if built_s > 1:
        note += f"; data set built in {built_s:.0f} s"
    return [
        _row(
            f"search over {size:_} mistakes, p95".replace("_", " "),
            search_p95,
            raw_p95,
            "p95 ≤ 50 ms and ≤ 2 times raw FTS5",
            search_p95 <= SEARCH_P95_MS and search_p95 <= RAW_RATIO * raw_p95,
            note
            + f"; median {statistics.median(ours):.1f} ms, raw {statistics.median(raw):.1f} ms",
        ),
        _row(
            "similar mistakes for a new report, p95",
            similar_p95,
            SIMILAR_P95_MS,
            "≤ 200 ms",
            similar_p95 <= SIMILAR_P95_MS,
            f"{len(titles)} new titles; median {statistics.median(similar):.1f} ms",
        ),
        _row(
            "similar mistakes on a mistake's page, p95",
            page_p95,
            SIMILAR_P95_MS,
            "≤ 200 ms",
            page_p95 <= SIMILAR_P95_MS,
            f"{len(ids)} mistakes; median {statistics.median(on_page):.1f} ms",
        ),
    ]


def _row(workload: str, figure: float, ceiling: float, target: str, ok: bool, note: str) -> Row:
    return row(workload, round(figure, 2), "ms", ceiling=round(ceiling, 2), target=target, ok=ok,
               note=note)  # fmt: skip


def _rows_of(rows: list[Row]) -> Iterator[str]:
    for found in rows:
        yield json.dumps(found, ensure_ascii=False)


if __name__ == "__main__":
    import sys

    for line in _rows_of(run("--quick" in sys.argv)):
        print(line)
