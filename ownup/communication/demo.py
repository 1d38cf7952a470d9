"""Who was told about the demo mistakes that reached Told: a lead, messages, acknowledgements."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User

from ownup.communication import services
from ownup.communication.models import Audience, CommunicationLead, Message, Recipient
from ownup.reporting.models import Mistake

# mistake key: lead, then (audience, days after the report, [(recipient, days to acknowledge)])
TOLD: dict[str, tuple[str, list[tuple[str, int, list[tuple[str, int | None]]]]]] = {
    "deadline": ("eli", []),
    "near-miss": (
        "bo",
        [
            ("team", 9, [("ada", 0), ("bo", 0), ("cy", 1)]),
            ("leadership", 9, [("ada", 0), ("dee", None)]),
        ],
    ),
}


def load(mistakes: dict[str, Mistake]) -> None:
    for key, (lead, messages) in TOLD.items():
        mistake = mistakes[key]
        CommunicationLead.objects.create(
            mistake=mistake, person=User.objects.get(username=lead), since=mistake.reported_at
        )
        for audience_key, days, recipients in messages:
            drafted = services.draft(mistake, audience_key)
            sent_at = mistake.reported_at + timedelta(days=days)
            message = Message.objects.create(
                mistake=mistake,
                audience=Audience.objects.get(key=audience_key),
                audience_name=drafted.audience.name,
                subject=drafted.subject,
                body=drafted.body,
                sent_by=User.objects.get(username=lead),
                sent_at=sent_at,
            )
            for username, ack_days in recipients:
                person = User.objects.get(username=username)
                Recipient.objects.create(
                    message=message,
                    channel=Recipient.Channel.EMAIL,
                    address=person.email,
                    name=person.get_full_name(),
                    state=Recipient.State.SENT,
                    attempts=1,
                    sent_at=sent_at + timedelta(minutes=1),
                    acknowledged_at=sent_at + timedelta(days=ack_days, hours=2)
                    if ack_days is not None
                    else None,
                )
