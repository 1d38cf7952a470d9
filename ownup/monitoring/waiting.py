"""The check-ins that ask a person whether the fix still holds, waiting for their answer."""

from __future__ import annotations

from django.contrib.auth.models import User

from ownup.monitoring.models import CheckRun, Outcome
from ownup.reporting.waiting import MOST_EACH, Waiting


def for_person(user: User) -> list[Waiting]:
    runs = (
        CheckRun.objects.filter(check_ref__person=user, outcome=Outcome.WAITING)
        .select_related("check_ref__mistake")
        .order_by("slot")[:MOST_EACH]
    )
    return [
        Waiting(
            f"Answer the check-in “{run.check_ref.name}”: still fine?",
            run.check_ref.mistake,
            "monitoring",
        )
        for run in runs
    ]
