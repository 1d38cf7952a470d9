"""The messages sent to a person by email that they have not acknowledged yet."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from ownup.communication.models import Recipient
from ownup.communication.services import ack_token
from ownup.reporting.waiting import MOST_EACH, Waiting


def for_person(user: User) -> list[Waiting]:
    if not user.email:
        return []
    unread = (
        Recipient.objects.filter(
            channel=Recipient.Channel.EMAIL,
            address__iexact=user.email,
            state=Recipient.State.SENT,
            acknowledged_at__isnull=True,
        )
        .select_related("message__mistake")
        .order_by("sent_at")[:MOST_EACH]
    )
    return [
        Waiting(
            f"Read and acknowledge “{r.message.subject}”",
            r.message.mistake,
            link=reverse("communication:acknowledge", args=[ack_token(r)]),
        )
        for r in unread
    ]
