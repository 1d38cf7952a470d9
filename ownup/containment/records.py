"""Containment as plain records: the one shape the API and the CLI's --json share."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from ownup.containment import services
from ownup.containment.models import ContainmentAction, CustomerCare, Escalation, SupportStep
from ownup.reporting.models import Mistake


def _name(user: User | None) -> str | None:
    return user.get_username() if user else None


def action_record(action: ContainmentAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "what": action.what,
        "could_harm": action.could_harm,
        "reversible": action.reversible,
        "rollback": action.rollback,
        "agreed_by": action.agreed_by,
        "remove_by": action.remove_by,
        "status": action.status,
        "author": _name(action.author),
        "created_at": action.created_at,
        "approved_by": _name(action.approved_by),
        "approved_at": action.approved_at,
        "taken_by": _name(action.taken_by),
        "taken_at": action.taken_at,
        "removed_by": _name(action.removed_by),
        "removed_at": action.removed_at,
        "overdue_for_removal": action.overdue_for_removal,
        "left_after_fix": action.left_after_fix,
    }


def care_record(care: CustomerCare) -> dict[str, Any]:
    return {"id": care.pk, "text": care.text, "at": care.at, "by": _name(care.by)}


def support_record(step: SupportStep) -> dict[str, Any]:
    return {
        "id": step.pk,
        "offered_by": _name(step.offered_by),
        "offered_at": step.offered_at,
        "note": step.note,
    }


def escalation_record(escalation: Escalation) -> dict[str, Any]:
    return {"level": escalation.level, "at": escalation.at, "notified": escalation.notified}


def containment_record(user: User | AnonymousUser, mistake: Mistake) -> dict[str, Any]:
    """Everything about a mistake's containment this person may see."""
    actions = list(
        mistake.containment_actions.select_related(
            "mistake", "author", "approved_by", "taken_by", "removed_by"
        )
    )
    clock = services.contain_clock(mistake)
    private = services.can_see_support(user, mistake)
    return {
        "mistake": mistake.pk,
        "contained": clock.contained,
        "contain_by": clock.deadline,
        "overdue": clock.overdue,
        "still_in_place_after_fix": any(a.left_after_fix for a in actions),
        "actions": [action_record(a) for a in actions],
        "customer_care": [care_record(c) for c in mistake.customer_care.select_related("by")],
        "support": (
            [support_record(s) for s in services.support_steps(user, mistake)] if private else None
        ),
        "escalations": [escalation_record(e) for e in mistake.escalations.all()],
    }
