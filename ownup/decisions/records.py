"""Options and decisions as plain records: the one shape the API and the CLI's --json share."""

from __future__ import annotations

from typing import Any

from ownup.decisions import services
from ownup.decisions.models import Criterion, Decision
from ownup.reporting.models import Mistake


def criterion_record(criterion: Criterion) -> dict[str, Any]:
    return {
        "key": criterion.key,
        "name": criterion.name,
        "description": criterion.description,
        "weight": criterion.weight,
        "lower_is_better": criterion.lower_is_better,
    }


def ranked_record(row: services.Ranked) -> dict[str, Any]:
    option = row.option
    return {
        "id": option.pk,
        "rank": row.rank,
        "title": option.title,
        "description": option.description,
        "strength": option.strength,
        "scores": {c.criterion.key: c.value for c in row.cells if c.value is not None},
        "total": row.total,
        "scored": row.scored,
        "complete": row.complete,
        "author": option.author.get_username() if option.author else None,
        "created_at": option.created_at,
    }


def options_record(mistake: Mistake) -> list[dict[str, Any]]:
    return [ranked_record(row) for row in services.ranking(mistake)]


def decision_record(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "option_id": decision.option_id,
        "option": decision.option.title,
        "strength": decision.option.strength,
        "rationale": decision.rationale,
        "decided_by": decision.decided_by.get_username() if decision.decided_by else None,
        "decided_at": decision.decided_at,
    }


def decisions_record(mistake: Mistake) -> dict[str, Any]:
    current = services.current_decision(mistake)
    return {
        "mistake": mistake.pk,
        "current": decision_record(current) if current else None,
        "history": [decision_record(d) for d in services.history(mistake)],
        "warning": services.strength_warning(mistake),
    }
