"""The dashboard's kept totals give, for every viewer and filter, exactly the figures computed
from the mistakes themselves, through every way mistakes are written."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from ownup.insights import backup, history, importing, stats, totals
from ownup.insights.models import CountedMistake, DayCategoryTotal, DayTagTotal, DayTotal
from ownup.insights.seams import seams
from ownup.organisation.models import Role, Severity, Team
from ownup.reporting import services, stages
from ownup.reporting.changes import mistakes_changed
from ownup.reporting.models import Mistake, Stage, Tag

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
NOW = datetime(2026, 7, 1, 12, tzinfo=UTC)
TAGS = ["invoices", "prices", "deploy", "dns", "refunds"]


# The figures as docs/insights.md defines them, from the mistakes a viewer may see -----------


def _bucket(moment: datetime, kind: str) -> str:
    day = moment.astimezone(UTC).date()
    if kind == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return day.replace(day=1).isoformat()


def _mean(spans: list[timedelta], per: float) -> float | None:
    if not spans:
        return None
    return round(sum(spans, timedelta()).total_seconds() / len(spans) / per, 2)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def figures_from_mistakes(user: User, filters: stats.Filters) -> dict[str, Any]:
    visible = list(Mistake.objects.visible_to(user).select_related("team").prefetch_related("tags"))
    verified = set(
        Mistake.objects.filter(Q(fixed_at__isnull=False) & seams.verified_effective()).values_list(
            "pk", flat=True
        )
    )
    linked = (
        set(Mistake.objects.filter(seams.linked_recurrence()).values_list("pk", flat=True))
        if seams.linked_recurrence
        else set()
    )
    tags = {m.pk: frozenset(t.pk for t in m.tags.all()) for m in visible}

    def recurs(m: Mistake) -> bool:
        return m.pk in linked or (
            bool(tags[m.pk])
            and any(
                e.team_id == m.team_id
                and tags[e.pk] == tags[m.pk]
                and (e.reported_at, e.pk) < (m.reported_at, m.pk)
                and m.reported_at - e.reported_at <= timedelta(days=90)
                for e in visible
            )
        )

    in_scope = [
        m
        for m in visible
        if filters.start_at <= m.reported_at < filters.end_before
        and (not filters.team or (m.team is not None and m.team.slug == filters.team))
    ]

    def values(ms: list[Mistake]) -> dict[str, float | None]:
        fixed = [m for m in ms if m.fixed_at]
        return {
            "time_to_report": _mean(
                [m.reported_at - m.noticed_at for m in ms if m.noticed_at], 3600
            ),
            "self_disclosed": _share(sum(m.discovered_by == "self" for m in ms), len(ms)),
            "time_to_contain": _mean(
                [m.contained_at - m.reported_at for m in ms if m.contained_at], 3600
            ),
            "time_to_fix": _mean([m.fixed_at - m.reported_at for m in fixed], 86400),
            "verified_effective": _share(sum(m.pk in verified for m in fixed), len(fixed)),
            "recurrence": _share(sum(recurs(m) for m in ms), len(ms)),
        }

    buckets = stats.bucket_starts(filters)
    per_bucket: dict[str, list[Mistake]] = defaultdict(list)
    for m in in_scope:
        per_bucket[_bucket(m.reported_at, filters.bucket)].append(m)
    overall = values(in_scope)
    series = {b: values(per_bucket[b]) for b in buckets if per_bucket[b]}
    figures = {
        key: {"value": value, "series": [series[b][key] if b in series else None for b in buckets]}
        for key, value in overall.items()
    }

    def counts(name_of: Callable[[Mistake], list[str]], order: list[str]) -> dict[str, Any]:
        per_name: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for m in in_scope:
            for name in name_of(m):
                per_name[name][_bucket(m.reported_at, filters.bucket)] += 1
        names = [n for n in order if n in per_name]
        return {
            "totals": {n: sum(per_name[n].values()) for n in names},
            "series": {n: [per_name[n].get(b, 0) for b in buckets] for n in names},
        }

    tag_totals: dict[Tag, int] = defaultdict(int)
    for m in in_scope:
        for tag in m.tags.all():
            tag_totals[tag] += 1
    top = sorted(tag_totals, key=lambda t: (-tag_totals[t], t.pk))[: stats.TOP_TAGS]
    categories = {
        m.pk: sorted({f.category.name for f in m.contributing_factors.all()}) for m in in_scope
    }
    per_category = Counter(name for names in categories.values() for name in names)
    return {
        "reported": len(in_scope),
        "figures": figures,
        "counts": {
            "stage": counts(lambda m: [m.get_stage_display()], [s.label for s in Stage]),
            "severity": counts(
                lambda m: [m.severity.name], list(Severity.objects.values_list("name", flat=True))
            ),
            "team": counts(
                lambda m: [m.team.name if m.team else stats.NO_TEAM],
                [stats.NO_TEAM, *Team.objects.values_list("name", flat=True)],
            ),
            "tag": counts(lambda m: [t.name for t in m.tags.all()], [t.name for t in top]),
            "factor": counts(
                lambda m: categories[m.pk],
                sorted(per_category, key=lambda name: (-per_category[name], name)),
            ),
        },
    }


def figures_from_totals(user: User, filters: stats.Filters) -> dict[str, Any]:
    computed = stats.compute(user, filters).as_dict()
    return {
        "reported": computed["reported"],
        "figures": {
            key: {"value": figure["value"], "series": figure["series"]}
            for key, figure in computed["figures"].items()
        },
        "counts": {
            key: {"totals": count["totals"], "series": count["series"]}
            for key, count in computed["counts"].items()
        },
    }


FILTERS = [
    stats.Filters(start=START.date(), end=NOW.date(), bucket="month"),
    stats.Filters(start=START.date(), end=NOW.date(), bucket="week"),
    stats.Filters(start=datetime(2026, 3, 10).date(), end=datetime(2026, 5, 20).date()),
    stats.Filters(start=START.date(), end=NOW.date(), bucket="week", team="billing"),
    stats.Filters(start=START.date(), end=NOW.date(), team="platform"),
    stats.Filters(start=datetime(2026, 4, 1).date(), end=NOW.date(), bucket="week", team="support"),
]


def assert_same_figures(people: list[User]) -> None:
    for user in people:
        for filters in FILTERS:
            expected = figures_from_mistakes(user, filters)
            got = figures_from_totals(user, filters)
            assert got == expected, (user.username, filters)
            # Names in the same order as well.
            for key, count in expected["counts"].items():
                assert list(got["counts"][key]["totals"]) == list(count["totals"]), key


def kept_tables() -> tuple[set[Any], set[Any], set[Any]]:
    # People by name: a restored backup numbers them anew.
    names = dict(User.objects.values_list("pk", "username"))
    counted = {
        (*row[:5], names.get(row[5]), names.get(row[6]), *row[7:])
        for row in CountedMistake.objects.values_list(*totals.COLUMNS)
    }
    days = set(DayTotal.objects.filter(n__gt=0).values_list(*totals.GROUP, *totals.SUMS))
    tags = set(
        DayTagTotal.objects.filter(n__gt=0).values_list(
            "day", "team_key", "audience", "tag_id", "n"
        )
    )
    categories = set(
        DayCategoryTotal.objects.filter(n__gt=0).values_list(
            "day", "team_key", "audience", "category_id", "n"
        )
    )
    return counted, days, tags | {("category", *row) for row in categories}


def assert_rebuild_agrees() -> None:
    kept = kept_tables()
    totals.rebuild()
    assert kept_tables() == kept


# An organisation whose mistakes are written every way there is ----------------------------------


@pytest.fixture
def org(make_user):
    billing = Team.objects.create(name="Billing", slug="billing")
    platform = Team.objects.create(name="Platform", slug="platform")
    support = Team.objects.create(name="Support", slug="support")
    people = {
        "ada": make_user("ada", team=billing, role=Role.MANAGER),
        "bo": make_user("bo", team=billing, role=Role.RESPONDER),
        "cy": make_user("cy", team=platform, role=Role.RESPONDER),
        "dee": make_user("dee", team=support, role=Role.REPORTER),
        "eli": make_user("eli"),
        "root": make_user("root", admin=True),
    }
    from ownup.organisation.services import join_team

    join_team(people["dee"], billing, Role.REPORTER)
    return people


def _random_report(rng: random.Random, people: dict[str, User], at: datetime) -> Mistake:
    team = rng.choice(["billing", "platform", "support", ""])
    confidentiality = rng.choices(
        ["open", "team", "restricted", "anonymous"], weights=[50, 25, 15, 10]
    )[0]
    if confidentiality == "team" and not team:
        team = "platform"
    fields: dict[str, Any] = {
        "title": f"Mistake at {at:%Y-%m-%d %H:%M}",
        "team": team,
        "confidentiality": confidentiality,
        "tags": rng.sample(TAGS[:3] if team == "billing" else TAGS, rng.choice([0, 1, 1, 2, 2, 3])),
        "discovered_by": rng.choice(["self", "self", "colleague", "customer"]),
        "severity": rng.choice(list(Severity.objects.scale().values_list("name", flat=True))),
    }
    if rng.random() < 0.8:
        fields["noticed_at"] = (
            at - timedelta(minutes=rng.randint(1, 5000), microseconds=rng.randint(0, 999_999))
        ).isoformat()
    if confidentiality == "restricted":
        fields["restricted_to"] = rng.sample(["ada", "cy", "eli", "dee"], rng.choice([1, 2]))
    reporter = people[rng.choice(["ada", "bo", "cy", "dee", "eli"])]
    with time_machine.travel(at, tick=False):
        return services.report(fields, reporter=reporter, announce=False)


def _move(mistake: Mistake, target: Stage, actor: User, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        stages.move(mistake, target, actor=actor, reason="as it happened")


def test_kept_totals_give_the_figures_of_the_mistakes_through_every_change(org, tmp_path):
    rng = random.Random(20261125)
    root = org["root"]
    people = list(org.values())
    mistakes: list[Mistake] = []
    at = START
    for _ in range(70):
        at += timedelta(hours=rng.randint(1, 90), microseconds=rng.randint(0, 999_999))
        mistakes.append(_random_report(rng, org, at))
    assert_same_figures(people)

    # Stage moves, forward and back, at later times.
    for mistake in rng.sample(mistakes, 40):
        when = mistake.reported_at + timedelta(hours=rng.randint(1, 200))
        target = rng.choice([Stage.CONTAINED, Stage.FIXED, Stage.MONITORING, Stage.CLOSED])
        _move(mistake, target, root, when)
        if target != Stage.CONTAINED and rng.random() < 0.3:
            _move(mistake, Stage.CONTAINED, root, when + timedelta(hours=5))
    assert_same_figures(people)

    # Edits: team, severity, confidentiality, tags, when it was noticed, who owns it.
    severities = list(Severity.objects.scale().values_list("name", flat=True))
    with time_machine.travel(NOW, tick=False):
        for mistake in rng.sample(mistakes, 30):
            mistake = Mistake.objects.get(pk=mistake.pk)
            change: dict[str, Any] = rng.choice(
                [
                    {"team": rng.choice(["billing", "platform", "support"])},
                    {"severity": rng.choice(severities)},
                    {"tags": rng.sample(TAGS, rng.choice([0, 1, 2]))},
                    {
                        "noticed_at": (
                            mistake.reported_at - timedelta(hours=rng.randint(1, 30))
                        ).isoformat()
                    },
                    {"discovered_by": "audit"},
                    {"owner": rng.choice(["ada", "cy", "eli"])},
                ]
            )
            if not mistake.is_anonymous and rng.random() < 0.4:
                change["confidentiality"] = rng.choice(["open", "team", "restricted"])
                change["team"] = change.get("team") or "support"
                change["restricted_to"] = (
                    ["eli"] if change["confidentiality"] == "restricted" else []
                )
            services.update(mistake, change, actor=root)
    assert_same_figures(people)

    # Contributing factors: one, two of a category (counted once), two categories; then some
    # taken away again.
    from ownup.understanding import services as understanding

    added = []
    for mistake in rng.sample(mistakes, 35):
        for category in rng.choice([["process"], ["process", "process"], ["people", "tools"]]):
            added.append(understanding.add_factor(mistake, category, "A factor", actor=root))
    assert_same_figures(people)
    for factor in rng.sample(added, 15):
        understanding.remove_factor(factor.mistake, factor.pk, actor=root)
    assert_same_figures(people)
    assert_rebuild_agrees()

    # Dated back after the fact (as the demo does), then told.
    for mistake in rng.sample(mistakes, 10):
        Mistake.objects.filter(pk=mistake.pk).update(
            reported_at=mistake.reported_at - timedelta(days=rng.randint(1, 60))
        )
        mistakes_changed([mistake.pk])
    assert_same_figures(people)

    # Told of several at once: a run of ids with gaps, and two far apart.
    for told in (mistakes[10:30:2] + mistakes[11:14], [mistakes[0], mistakes[-1]]):
        for mistake in told:
            Mistake.objects.filter(pk=mistake.pk).update(
                discovered_by=rng.choice(["self", "audit"]),
                reported_at=mistake.reported_at - timedelta(days=rng.randint(1, 30)),
            )
        mistakes_changed([mistake.pk for mistake in told])
    assert_same_figures(people)

    # Deletions: mistakes one by one and several at once, a tag, a team (its mistakes keep
    # going, without a team).
    deleted = rng.sample(mistakes, 12)
    for mistake in deleted[:6]:
        Mistake.objects.get(pk=mistake.pk).delete()
    Mistake.objects.filter(pk__in=[m.pk for m in deleted[6:]]).delete()
    Tag.objects.get(name="dns").delete()
    Team.objects.get(slug="support").delete()
    assert_same_figures(people)
    assert_rebuild_agrees()

    # An import, written with batched INSERTs.
    records = []
    for number in range(30):
        reported = START + timedelta(days=rng.randint(0, 170), seconds=rng.randint(0, 86_000))
        records.append(
            {
                "title": f"Imported {number}",
                "reported_at": reported.isoformat(),
                "team": rng.choice(["billing", "platform", ""]),
                "tags": rng.sample(TAGS[:3], rng.choice([1, 2])),
                "confidentiality": rng.choice(["open", "open", "anonymous", "restricted"]),
                "restricted_to": [],
                "stage": "fixed",
                "fixed_at": (reported + timedelta(days=2)).isoformat(),
            }
        )
        if records[-1]["confidentiality"] == "restricted":
            records[-1]["restricted_to"] = ["cy"]
    path = tmp_path / "mistakes.json"
    path.write_text(json.dumps(records))
    with time_machine.travel(NOW, tick=False):
        result = importing.import_records(importing.read(path), source=str(path), actor=root)
    assert result.created == 30, result.skipped
    assert_same_figures(people)
    assert_rebuild_agrees()

    # An import counts its rows from what it wrote: the seams' answers must reach it too.
    kept = (seams.verified_effective, seams.linked_recurrence)
    try:
        # Saying yes only for the mistakes about to be imported: the counted ones stay right.
        again = Q(title__startswith="Imported again")
        seams.verified_effective = lambda: again & Q(title__regex="[12]$")
        seams.linked_recurrence = lambda: again & Q(title__regex="[25]$")
        for record in records:
            record["title"] = record["title"].replace("Imported", "Imported again")
        path.write_text(json.dumps(records))
        with time_machine.travel(NOW, tick=False):
            result = importing.import_records(importing.read(path), source=str(path), actor=root)
        assert result.created == 30, result.skipped
        assert CountedMistake.objects.filter(verified=True).exists()
        assert CountedMistake.objects.filter(linked=True).exists()
        assert_same_figures(people)
        assert_rebuild_agrees()
    finally:
        seams.verified_effective, seams.linked_recurrence = kept
        totals.rebuild()


def test_the_figures_follow_what_the_other_apps_say(org):
    rng = random.Random(7)
    at = START
    mistakes = []
    for _ in range(30):
        at += timedelta(hours=rng.randint(1, 200))
        mistakes.append(_random_report(rng, org, at))
    for mistake in mistakes[::2]:
        _move(mistake, Stage.FIXED, org["root"], mistake.reported_at + timedelta(days=1))
    kept = (seams.verified_effective, seams.linked_recurrence)
    try:
        seams.linked_recurrence = lambda: Q(pk__in=[m.pk for m in mistakes[::3]])
        seams.verified_effective = lambda: Q(pk__in=[m.pk for m in mistakes[::4]])
        totals.rebuild()
        assert_same_figures(list(org.values()))
    finally:
        seams.verified_effective, seams.linked_recurrence = kept
        totals.rebuild()


def test_a_generated_past_and_a_restored_backup_are_counted(org, tmp_path):
    history.insert(history.plan(300, now=NOW, days=200, seed=3, teams=["billing", "platform"]))
    people = list(org.values())
    assert_same_figures(people)
    kept = kept_tables()
    file = tmp_path / "backup.json.gz"
    backup.backup(file)
    backup.restore(file, replace=True)
    assert kept_tables() == kept
    assert_same_figures(list(User.objects.all()))


def test_the_migration_counts_the_mistakes_already_there(org):
    from importlib import import_module

    from django.apps import apps

    history.insert(history.plan(100, now=NOW, days=100, seed=5, teams=["billing"]))
    kept = kept_tables()
    for model in (CountedMistake, DayTotal, DayTagTotal):
        model.objects.all().delete()
    migration = import_module("ownup.insights.migrations.0003_count_existing_mistakes")
    migration.count_existing_mistakes(apps, None)
    assert kept_tables() == kept


def test_the_migration_counts_the_factors_already_there(org):
    from importlib import import_module

    from django.apps import apps

    from ownup.understanding import services as understanding

    history.insert(history.plan(40, now=NOW, days=100, seed=5, teams=["billing"]))
    for mistake in Mistake.objects.order_by("pk")[:10]:
        understanding.add_factor(mistake, "process", "A factor", actor=org["root"])
    kept = kept_tables()
    DayCategoryTotal.objects.all().delete()
    CountedMistake.objects.update(categoryset="")  # as the schema before them leaves them
    migration = import_module("ownup.insights.migrations.0005_count_existing_factors")
    migration.count_existing_factors(apps, None)
    assert kept_tables() == kept
    assert DayCategoryTotal.objects.filter(n__gt=0).exists()


# Confidentiality -------------------------------------------------------------------------------


def test_a_confidential_mistake_never_reaches_an_outsiders_figures(org):
    ada, cy, eli = org["ada"], org["cy"], org["eli"]
    filters = stats.Filters(start=START.date(), end=NOW.date())
    with time_machine.travel(START, tick=False):
        services.report({"title": "Open one", "team": "platform", "tags": ["dns"]}, reporter=cy)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        services.report(
            {
                "title": "Named one",
                "team": "platform",
                "tags": ["dns"],
                "confidentiality": "restricted",
                "restricted_to": ["ada"],
            },
            reporter=cy,
        )
        services.report(
            {
                "title": "Team one",
                "team": "platform",
                "tags": ["deploy"],
                "confidentiality": "team",
            },
            reporter=cy,
        )
    with time_machine.travel(START + timedelta(days=2), tick=False):
        services.report(
            {"title": "Open again", "team": "platform", "tags": ["deploy"]}, reporter=cy
        )
    outsider = stats.compute(eli, filters)
    assert outsider.reported == 2
    # The repeat of the team-only one is no repeat for someone who cannot see it.
    assert outsider.figure("recurrence").value == 0
    tags = next(b for b in outsider.breakdowns if b.key == "tag")
    assert tags.totals == {"deploy": 1, "dns": 1}
    named = stats.compute(ada, filters)
    assert named.reported == 3
    assert named.figure("recurrence").value == pytest.approx(33.3)
    member = stats.compute(cy, filters)
    assert member.reported == 4
    assert member.figure("recurrence").value == 50


# What a change costs ---------------------------------------------------------------------------


def _statements(action: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        action()
    return [q["sql"] for q in captured.captured_queries]


def test_the_totals_cost_a_few_statements_per_change(org):
    cy = org["cy"]
    with time_machine.travel(START, tick=False):
        services.report(
            {"title": "First", "team": "platform", "tags": ["dns", "deploy"]}, reporter=cy
        )
    with time_machine.travel(START + timedelta(days=1), tick=False):
        report = _statements(
            lambda: services.report(
                {"title": "Again", "team": "platform", "tags": ["dns", "deploy"]}, reporter=cy
            )
        )
    mistake = Mistake.objects.get(title="Again")
    with time_machine.travel(START + timedelta(days=2), tick=False):
        move = _statements(lambda: stages.move(mistake, Stage.CONTAINED, actor=cy, reason="x"))
        mistake = Mistake.objects.get(pk=mistake.pk)
        edit = _statements(lambda: services.update(mistake, {"title": "Again, sadly"}, actor=cy))
    on_totals = lambda sql: "insights_" in sql  # noqa: E731
    # The mistake read with its last count; its recurrence; the counted row; two upserts.
    assert sum(map(on_totals, report)) <= 5
    # The read, the counted row, one upsert.
    assert sum(map(on_totals, move)) <= 3
    # Nothing the figures read changed: the read only.
    assert sum(map(on_totals, edit)) <= 1


def test_deleting_many_mistakes_recounts_them_together(org):
    cy = org["cy"]
    for day in range(40):
        with time_machine.travel(START + timedelta(days=day), tick=False):
            services.report(
                {"title": f"Day {day}", "team": "platform", "tags": ["dns"]}, reporter=cy
            )
    few = Mistake.objects.filter(title__in=["Day 1", "Day 2"])
    many = Mistake.objects.filter(title__startswith="Day").exclude(pk__in=few.values("pk"))
    deleting_few = sum("insights_" in sql for sql in _statements(few.delete))
    deleting_many = sum("insights_" in sql for sql in _statements(many.delete))
    # Told of the 38 at once: as many statements on the totals as for 2, not 19 times more.
    assert deleting_many <= deleting_few + 2
    assert not CountedMistake.objects.exists()
    assert not DayTotal.objects.exclude(n=0).exists()


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC),  # whole seconds: stored without a fraction
        datetime(2026, 3, 1, 12, 30, 5, 7, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),  # before 1970, with a fraction
        datetime(1901, 1, 1, tzinfo=UTC),
        datetime(2999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ],
)
def test_the_database_counts_the_microseconds_of_a_stored_time(reporter, moment):
    mistake = services.report({"title": "A time to count"}, reporter=reporter, announce=False)
    Mistake.objects.filter(pk=mistake.pk).update(reported_at=moment)
    found = Mistake.objects.filter(pk=mistake.pk).values_list(
        totals.Micros("reported_at"), flat=True
    )
    since_1970 = moment - datetime(1970, 1, 1, tzinfo=UTC)
    assert found.get() == since_1970 // timedelta(microseconds=1)
