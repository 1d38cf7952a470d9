"""The Told part of a mistake's page: the lead, the messages, who has read them, and the
blame-language check of the report's own words."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from ownup.communication import language, services
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.sections import Section, register
from ownup.reporting.services import can_see


def context(request: HttpRequest, mistake: Mistake) -> dict[str, Any]:
    messages = list(services.messages_of(mistake))
    for message in messages:
        recipients = list(message.recipients.all())
        message.shown_recipients = recipients  # type: ignore[attr-defined]
        message.acknowledged_count = sum(1 for r in recipients if r.acknowledged_at)  # type: ignore[attr-defined]
        message.waiting_count = sum(  # type: ignore[attr-defined]
            1
            for r in recipients
            if r.can_acknowledge and r.state == r.State.SENT and not r.acknowledged_at
        )
        message.failed_count = sum(1 for r in recipients if r.state == r.State.FAILED)  # type: ignore[attr-defined]
    return {
        "lead": services.lead_of(mistake),
        "people": _people_who_can_see(mistake),
        "messages": messages,
        "audiences": services.audiences(),
        "follow_ups_due": services.follow_ups_due(mistake),
        "findings": language.check_mistake(mistake),
        "moved_on": mistake.has_reached(Stage.TOLD),
    }


def _people_who_can_see(mistake: Mistake) -> list[User]:
    people = User.objects.filter(is_active=True).order_by("first_name", "username")
    if not mistake.is_confidential:
        return list(people)
    return [person for person in people if can_see(person, mistake)]


register(
    Section(
        key="communication",
        title="Tell everyone involved",
        stage=Stage.TOLD,
        template="communication/section.html",
        context=context,
    )
)
