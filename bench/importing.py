"""Import speed: ``ownup import`` of a seeded JSON file, beside a raw batched INSERT of the same
rows (no checks, no tags, no audit) as the ceiling."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._setup import ensure_django
from bench.rows import Row, row

FULL, QUICK = 100_000, 10_000
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def _records(count: int) -> list[dict[str, Any]]:
    from ownup.insights import history

    return [
        {
            "title": past.title,
            "occurred_at": past.occurred_at.isoformat(),
            "noticed_at": past.noticed_at.isoformat(),
            "reported_at": past.reported_at.isoformat(),
            "discovered_by": past.discovered_by,
            "harm": past.harm,
            "severity": past.severity,
            "tags": past.tags,
            "url": f"https://bench.example/{number}",
        }
        for number, past in enumerate(history.plan(count, now=NOW, seed=11))
    ]


def _raw_insert(records: list[dict[str, Any]]) -> float:
    from django.db import connection, transaction

    from ownup.organisation.models import Severity

    severity = Severity.objects.order_by("rank").first()
    assert severity is not None
    rows = [
        (
            r["title"],
            "",
            r["occurred_at"],
            r["noticed_at"],
            r["reported_at"],
            r["discovered_by"],
            r["harm"],
            severity.pk,
            "open",
            "reported",
            r["reported_at"],
        )
        for r in records
    ]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(
                "INSERT INTO reporting_mistake (title, description, occurred_at, noticed_at, "
                "reported_at, discovered_by, harm, severity_id, confidentiality, stage, "
                "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows[start : start + 2000],
            )
    return time.perf_counter() - started


def run(quick: bool) -> list[Row]:
    ensure_django("importing-quick" if quick else "importing")
    from huey.contrib.djhuey import HUEY

    from ownup.insights import importing
    from ownup.insights.models import ImportedRecord
    from ownup.learning.models import SearchDocument
    from ownup.reporting.models import Mistake

    count = QUICK if quick else FULL
    ImportedRecord.objects.all().delete()
    Mistake.objects.all().delete()
    records = _records(count)
    path = Path(importing.__file__).resolve().parents[2] / "var" / "bench" / "import.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records))
    HUEY.flush()
    started = time.perf_counter()
    result = importing.import_records(importing.read(path), source=str(path), actor=None)
    seconds = time.perf_counter() - started
    assert result.created == count, result.skipped[:3]
    # What the worker does next: the search documents of the imported records.
    started = time.perf_counter()
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
    indexing_seconds = time.perf_counter() - started
    assert SearchDocument.objects.count() == count
    Mistake.objects.all().delete()
    raw_seconds = _raw_insert(records)
    Mistake.objects.all().delete()
    figure, ceiling = count / seconds, count / raw_seconds
    return [
        row(
            f"import {count:,} JSON records".replace(",", " "),
            round(figure),
            "records/s",
            ceiling=round(ceiling),
            target="≥ 10 000 records/s",
            ok=figure >= 10_000,
            note="ceiling: raw INSERT, no checks",
        ),
        row(
            "then indexed for search by the worker",
            round(count / indexing_seconds),
            "records/s",
            note="the worker's tasks, run in the bench's process",
        ),
    ]


if __name__ == "__main__":
    import sys

    print(json.dumps(run("--quick" in sys.argv), indent=1))
