"""Messages and recipients as plain records, for the API and the CLI's --json."""

from __future__ import annotations

from typing import Any

from ownup.communication.language import Finding
from ownup.communication.models import Message, Recipient


def recipient_record(recipient: Recipient) -> dict[str, Any]:
    # A chat URL carries its service's secret, so only its label leaves the server.
    return {
        "id": recipient.pk,
        "channel": recipient.channel,
        "address": recipient.label,
        "state": recipient.state,
        "error": recipient.error,
        "attempts": recipient.attempts,
        "sent_at": recipient.sent_at,
        "acknowledged_at": recipient.acknowledged_at,
        "reminded_at": recipient.reminded_at,
    }


def message_record(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "mistake": message.mistake_id,
        "audience": message.audience.key if message.audience else None,
        "audience_name": message.audience_name,
        "subject": message.subject,
        "body": message.body,
        "sent_by": message.sent_by.get_username() if message.sent_by else None,
        "sent_at": message.sent_at,
        "recipients": [recipient_record(r) for r in message.recipients.all()],
    }


def findings_record(findings: list[Finding]) -> dict[str, Any]:
    return {"count": len(findings), "findings": [f.as_dict() for f in findings]}
