"""Work done by the task worker, never in a request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from huey.contrib.djhuey import db_task

from ownup.reporting.models import Mistake
from ownup.reporting.services import can_see, people_to_notify
from ownup.reporting.stages import NEXT_STEP


@db_task(retries=5, retry_delay=60)
def notify_reported(mistake_id: int) -> int:
    """Email the people who respond to a new report; returns how many were told."""
    mistake = (
        Mistake.objects.select_related("severity", "team", "reporter").filter(pk=mistake_id).first()
    )
    if mistake is None:
        return 0
    sent = 0
    for person in people_to_notify(mistake):
        context = {"mistake": mistake, "person": person, "base_url": settings.BASE_URL}
        send_mail(
            subject=f"[{mistake.severity}] Reported: {mistake.title}",
            message=render_to_string("reporting/email/reported.txt", context),
            from_email=None,
            recipient_list=[person.email],
        )
        sent += 1
    return sent


@db_task(retries=5, retry_delay=60)
def notify_owner(mistake_id: int, by: str) -> int:
    """Email a mistake's new owner that it is theirs now (``by``: who made it so)."""
    mistake = Mistake.objects.select_related("owner", "severity").filter(pk=mistake_id).first()
    if mistake is None or mistake.owner is None or not mistake.owner.email:
        return 0
    if not mistake.owner.is_active or not can_see(mistake.owner, mistake):
        return 0
    context = {
        "mistake": mistake,
        "person": mistake.owner,
        "by": by,
        "next_step": NEXT_STEP[mistake.stage_enum],
        "base_url": settings.BASE_URL,
    }
    send_mail(
        subject=f"Yours now: #{mistake.pk} {mistake.title}",
        message=render_to_string("reporting/email/owner.txt", context),
        from_email=None,
        recipient_list=[mistake.owner.email],
    )
    return 1
