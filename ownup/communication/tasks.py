"""Delivery of messages by the worker: one task per recipient, retried with a growing delay.

A recipient stays ``queued`` while attempts remain, so a mail server or chat service that is down
delays the message and loses nothing; after the last attempt it is ``failed`` with the reason,
and the page offers to send it again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone
from huey.contrib.djhuey import db_task

from ownup import chat
from ownup.communication.models import Recipient
from ownup.communication.services import ack_url, lead_of

RETRIES = 8
FIRST_RETRY_DELAY = 30  # seconds; doubled after each attempt: 30 s, 1 min, 2 min ... about 2 h
BACKOFF = 2


class DeliveryFailed(Exception):
    """One attempt that did not deliver; the worker tries again later."""


@db_task(retries=RETRIES, retry_delay=FIRST_RETRY_DELAY, retry_backoff=BACKOFF, context=True)
def deliver(recipient_id: int, task: Any = None) -> str:
    """Send one message to one recipient; a recipient already sent is never sent twice."""
    recipient = (
        Recipient.objects.select_related("message", "message__mistake", "message__sent_by")
        .filter(pk=recipient_id)
        .first()
    )
    if recipient is None or recipient.state == Recipient.State.SENT:
        return "nothing to do"
    try:
        if recipient.channel == Recipient.Channel.EMAIL:
            _send_email(recipient)
        else:
            _send_apprise(recipient)
    except Exception as error:
        last = task is None or not task.retries
        Recipient.objects.filter(pk=recipient.pk).update(
            attempts=recipient.attempts + 1,
            error=_reason(error),
            state=Recipient.State.FAILED if last else Recipient.State.QUEUED,
        )
        raise DeliveryFailed(f"recipient {recipient_id}: {_reason(error)}") from error
    Recipient.objects.filter(pk=recipient.pk).update(
        state=Recipient.State.SENT,
        sent_at=timezone.now(),
        attempts=recipient.attempts + 1,
        error="",
    )
    return "sent"


@db_task(retries=RETRIES, retry_delay=FIRST_RETRY_DELAY, retry_backoff=BACKOFF)
def send_reminder(recipient_id: int) -> str:
    """Ask once more for an acknowledgement; nothing when it came in meanwhile."""
    recipient = Recipient.objects.select_related("message", "message__mistake").get(pk=recipient_id)
    if recipient.acknowledged_at is not None:
        return "already acknowledged"
    _email(recipient, reminder=True).send()
    Recipient.objects.filter(pk=recipient.pk).update(reminded_at=timezone.now())
    return "reminded"


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__


def _email(recipient: Recipient, *, reminder: bool = False) -> EmailMessage:
    message = recipient.message
    lead = lead_of(message.mistake) or message.sent_by
    body = render_to_string(
        "communication/email/message.txt",
        {"message": message, "ack_url": ack_url(recipient), "reminder": reminder},
    )
    return EmailMessage(
        subject=("Reminder: " if reminder else "") + message.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.address],
        reply_to=[lead.email] if lead and lead.email else None,
    )


def _send_email(recipient: Recipient) -> None:
    _email(recipient).send()


def _send_apprise(recipient: Recipient) -> None:
    chat.post(recipient.address, title=recipient.message.subject, body=recipient.message.body)
