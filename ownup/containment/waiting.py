"""Containments that cannot be undone and wait for someone other than their author to agree,
and containments past their removal date in the mistakes a person owns."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef

from ownup.containment.models import ActionStatus, ContainmentAction
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import may_act_on
from ownup.reporting.waiting import MOST_EACH, Waiting, due_date


def for_person(user: User) -> list[Waiting]:
    # Asked of the mistakes in the query, not after it: the first few of the whole
    # organisation's proposals may all be in teams this person cannot act for.
    may_act = Exists(Mistake.objects.filter(may_act_on(user), pk=OuterRef("mistake_id")).only("pk"))
    to_approve = (
        ContainmentAction.objects.filter(may_act, status=ActionStatus.PROPOSED, reversible=False)
        .exclude(author=user)
        .exclude(mistake__stage=Stage.CLOSED)  # its page no longer asks: nothing to approve
        .select_related("mistake")
        .order_by("created_at")[:MOST_EACH]
    )
    to_remove = (
        ContainmentAction.objects.filter(
            status=ActionStatus.TAKEN, remove_by__isnull=False, mistake__owner=user
        )
        .select_related("mistake")
        .order_by("remove_by")[:MOST_EACH]
    )
    return [
        Waiting(
            f"Decide whether to approve “{a.what}”: it cannot be undone",
            a.mistake,
            "containment",
        )
        for a in to_approve
    ] + [
        Waiting(
            f"Remove the containment “{a.what}”", a.mistake, "containment", due_date(a.remove_by)
        )
        for a in to_remove
    ]
