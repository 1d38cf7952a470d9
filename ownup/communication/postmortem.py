"""Telling's part of the postmortem: who was told what, when, and who acknowledged it.

Recipients appear as counts, not addresses: a postmortem travels further than the messages did.
"""

from __future__ import annotations

from ownup.communication import services
from ownup.postmortem import PostmortemPart
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import AnyUser


def part(mistake: Mistake, viewer: AnyUser) -> PostmortemPart | None:
    messages = list(services.messages_of(mistake).order_by("sent_at", "pk"))
    lead = services.lead_of(mistake)
    if not messages and lead is None:
        return None
    rows = []
    for message in messages:
        recipients = list(message.recipients.all())
        rows.append(
            {
                "message": message,
                "recipients": len(recipients),
                "sent": sum(1 for r in recipients if r.state == r.State.SENT),
                "acknowledged": sum(1 for r in recipients if r.acknowledged_at),
            }
        )
    context = {"rows": rows, "lead": lead}
    return PostmortemPart.rendered(
        "Who was told", Stage.TOLD, "communication/postmortem/part", context
    )
