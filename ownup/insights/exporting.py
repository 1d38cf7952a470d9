"""Every mistake the person may see, as JSON (with timelines) or CSV (one row per mistake)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.serializers.json import DjangoJSONEncoder

from ownup.reporting.models import Mistake
from ownup.reporting.records import mistake_record
from ownup.reporting.services import visible_mistakes

FORMATS = ("json", "csv")
# The record's fields in CSV; lists are joined with commas, which import splits again.
CSV_COLUMNS = [
    "id",
    "url",
    "title",
    "description",
    "occurred_at",
    "noticed_at",
    "reported_at",
    "discovered_by",
    "harm",
    "severity",
    "team",
    "owner",
    "reporter",
    "confidentiality",
    "restricted_to",
    "tags",
    "stage",
    "contained_at",
    "fixed_at",
    "closed_at",
]


def exported(user: User | AnonymousUser, *, team: str = "") -> list[Mistake]:
    mistakes = visible_mistakes(user).prefetch_related("tags", "restricted_to", "timeline__actor")
    if team:
        mistakes = mistakes.filter(team__slug=team)
    return list(mistakes.order_by("reported_at", "pk"))


def as_json(mistakes: list[Mistake]) -> str:
    records = []
    for mistake in mistakes:
        record = mistake_record(mistake)
        record["timeline"] = [
            {
                "at": entry.at,
                "kind": entry.kind,
                "text": entry.text,
                "actor": entry.actor.get_username() if entry.actor else None,
            }
            for entry in mistake.timeline.all()
        ]
        records.append(record)
    return json.dumps(records, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)


def as_csv(mistakes: list[Mistake]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for mistake in mistakes:
        record = mistake_record(mistake)
        writer.writerow({name: _cell(record[name]) for name in CSV_COLUMNS})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value
