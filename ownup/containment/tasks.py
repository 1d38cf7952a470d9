"""Escalation: work done by the task worker, never in a request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ownup.containment import services
from ownup.containment.models import Escalation


@db_periodic_task(crontab(minute="*"))
def escalate_uncontained() -> list[int]:
    """Every minute: escalate the mistakes whose time to contain ran out, once per level."""
    escalations = services.escalate_due()
    for escalation in escalations:
        tell_managers(escalation.pk)
    return [e.pk for e in escalations]


@db_task(retries=5, retry_delay=60)
def tell_managers(escalation_id: int) -> int:
    """Email the managers who may see the mistake; returns how many were told."""
    escalation = (
        Escalation.objects.select_related("mistake__severity", "mistake__team")
        .filter(pk=escalation_id)
        .first()
    )
    if escalation is None:
        return 0
    mistake = escalation.mistake
    told = set(escalation.notified)
    for person in services.managers_to_tell(mistake):
        if person.get_username() in told:
            continue  # a retry after a failure part-way tells only those not told yet
        context = {
            "mistake": mistake,
            "person": person,
            "escalation": escalation,
            "base_url": settings.BASE_URL,
        }
        send_mail(
            subject=f"[{mistake.severity}] Not contained in time: {mistake.title}",
            message=render_to_string("containment/email/escalated.txt", context),
            from_email=None,
            recipient_list=[person.email],
        )
        told.add(person.get_username())
        escalation.notified = sorted(told)
        escalation.save(update_fields=["notified"])
    return len(escalation.notified)
