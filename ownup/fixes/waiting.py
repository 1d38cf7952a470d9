"""The corrective and preventive actions a person owns and has not done yet."""

from __future__ import annotations

from django.contrib.auth.models import User

from ownup.fixes.models import Action, Status
from ownup.reporting.waiting import MOST_EACH, Waiting


def for_person(user: User) -> list[Waiting]:
    actions = (
        Action.objects.filter(owner=user, status__in=[Status.OPEN, Status.IN_PROGRESS])
        .select_related("mistake")
        .order_by("due_date")[:MOST_EACH]
    )
    return [Waiting(f"Do the action “{a.title}”", a.mistake, "fixes", a.due_date) for a in actions]
