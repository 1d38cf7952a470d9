"""A mistake as a plain record: the one shape the API, the CLI's --json and exports share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from ownup.reporting.models import Mistake
from ownup.reporting.stages import NEXT_STEP


def _many(mistake: Mistake, name: str) -> Iterable[Any]:
    """The mistake's people or tags as a prefetch (or the report that made it) left them, else
    read: Django makes a related manager at each access, and for a page of 50 records making
    them cost ten times as long as reading the lists they hold."""
    known = getattr(mistake, "_prefetched_objects_cache", {}).get(name)
    return known if known is not None else getattr(mistake, name).all()


def mistake_record(mistake: Mistake) -> dict[str, Any]:
    minutes = None
    if mistake.time_to_report is not None:
        minutes = int(mistake.time_to_report.total_seconds() // 60)
    return {
        "id": mistake.pk,
        "url": settings.BASE_URL + mistake.get_absolute_url(),
        "title": mistake.title,
        "description": mistake.description,
        "occurred_at": mistake.occurred_at,
        "noticed_at": mistake.noticed_at,
        "reported_at": mistake.reported_at,
        "discovered_by": mistake.discovered_by,
        "harm": mistake.harm,
        "severity": mistake.severity.name,
        "team": mistake.team.slug if mistake.team else None,
        "owner": mistake.owner.get_username() if mistake.owner else None,
        "reporter": mistake.reporter.get_username() if mistake.reporter else None,
        "confidentiality": mistake.confidentiality,
        "restricted_to": sorted(u.get_username() for u in _many(mistake, "restricted_to")),
        "tags": sorted(t.name for t in _many(mistake, "tags")),
        "stage": mistake.stage,
        "next_step": NEXT_STEP[mistake.stage_enum],
        "contained_at": mistake.contained_at,
        "fixed_at": mistake.fixed_at,
        "closed_at": mistake.closed_at,
        "disclosure": {"minutes_to_report": minutes, "self_disclosed": mistake.self_disclosed},
    }
