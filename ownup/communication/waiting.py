"""The messages sent to a person by email that they have not acknowledged yet."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower
from django.urls import reverse

from ownup.communication.models import Recipient
from ownup.communication.services import ack_token
from ownup.reporting.waiting import MOST_EACH, Waiting


def unread_by(email: str) -> QuerySet[Recipient]:
    """The email recipients at this address, in any case, sent and not acknowledged, oldest
    first."""
    # Lower on both sides, as the index of unread messages by address is made.
    return (
        Recipient.objects.alias(address_lower=Lower("address"))
        .filter(
            channel=Recipient.Channel.EMAIL,
            address_lower=Lower(Value(email)),
            state=Recipient.State.SENT,
            acknowledged_at__isnull=True,
        )
        .order_by("sent_at")
    )


def for_person(user: User) -> list[Waiting]:
    if not user.email:
        return []
    unread = unread_by(user.email).select_related("message__mistake")[:MOST_EACH]
    return [
        Waiting(
            f"Read and acknowledge “{r.message.subject}”",
            r.message.mistake,
            link=reverse("communication:acknowledge", args=[ack_token(r)]),
        )
        for r in unread
    ]
