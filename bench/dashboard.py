"""The dashboard's figures over a million mistakes, beside one raw scan of the same table.

The ceiling is a single hand-written aggregate over every mistake (a count and one time sum):
the least a dashboard computed from the mistakes themselves has to read. The figures are read
from the totals kept per day instead, which the generated past keeps as every writer does. The
data set is seeded, bulk-inserted once and kept in the module's data directory.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from typing import Any

from bench._setup import ensure_django
from bench.rows import Row, row

FULL, QUICK = 1_000_000, 20_000
# The data set's "now", fixed so the cached database and the figures agree run after run.
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
FACTOR_SEED = 20260630
FACTOR_SHARE = 0.3  # of the mistakes past Reported, with contributing factors


def _fill(count: int) -> None:
    from ownup.insights import history
    from ownup.organisation.models import Role, Team
    from ownup.organisation.services import create_user, join_team
    from ownup.reporting.models import Mistake

    have = Mistake.objects.count()
    if have >= count:
        _add_factors()
        return
    for slug in ("billing", "platform"):
        team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
        user = create_user(f"bench-{slug}") if not team.memberships.exists() else None
        if user:
            join_team(user, team, Role.MANAGER)
    history.insert(
        history.plan(count - have, now=NOW, days=3 * 365, seed=have + 1),
        batch=20_000,
        timeline=False,
    )
    _add_factors()


def _add_factors() -> None:
    """Contributing factors, as understanding a mistake adds them: one or two for a seeded
    share of the mistakes understood or later, so the counts by category have rows to read."""
    import random

    from django.db import transaction

    from ownup.insights.bulk import insert_rows, next_ids
    from ownup.reporting.changes import mistakes_changed
    from ownup.reporting.models import Mistake, Stage
    from ownup.understanding.models import ContributingFactor, FactorCategory

    if ContributingFactor.objects.exists():
        return
    chance = random.Random(FACTOR_SEED)
    categories = list(FactorCategory.objects.values_list("pk", flat=True))
    rows: list[list[Any]] = []
    for mistake_id, reported_at in (
        Mistake.objects.exclude(stage=Stage.REPORTED)
        .order_by("pk")
        .values_list("pk", "reported_at")
        .iterator(chunk_size=20_000)
    ):
        if chance.random() < FACTOR_SHARE:
            for category in chance.sample(categories, chance.choice((1, 1, 2))):
                rows.append([mistake_id, category, "A factor", reported_at])
    with transaction.atomic():
        for row_, pk in zip(rows, next_ids(ContributingFactor, len(rows)), strict=True):
            row_.insert(0, pk)
        insert_rows(
            ContributingFactor,
            ["id", "mistake_id", "category_id", "text", "added_at"],
            [tuple(r) for r in rows],
        )
        # Written as rows, as an import writes them: counted as understanding's services would.
        mistakes_changed({int(row_[1]) for row_ in rows})


def _timed(work: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(quick: bool) -> list[Row]:
    ensure_django("dashboard-quick" if quick else "dashboard")
    from django.contrib.auth.models import User
    from django.db import connection

    from ownup.insights import stats

    count = QUICK if quick else FULL
    _fill(count)
    viewer = User.objects.get(username="bench-billing")
    filters = stats.Filters(start=datetime(2023, 7, 1).date(), end=NOW.date(), bucket="month")
    dashboard_ms = _timed(lambda: stats.compute(viewer, filters), 3 if quick else 1)

    def raw_scan() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), SUM(CASE WHEN discovered_by = 'self' THEN 1 ELSE 0 END), "
                "MAX(reported_at) FROM reporting_mistake"
            )
            cursor.fetchall()

    ceiling_ms = _timed(raw_scan, 3)
    from ownup.reporting.models import Mistake

    label = f"dashboard over {Mistake.objects.count():,} mistakes".replace(",", " ")
    return [
        row(
            label + (" (quick)" if quick else ""),
            round(dashboard_ms, 1),
            "ms",
            ceiling=round(ceiling_ms, 1),
            target="≤ 500 ms",
            ok=dashboard_ms <= 500,
            note="ceiling: one raw aggregate scan",
        )
    ]


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run("--quick" in sys.argv), indent=1))
