"""Work done by the task worker, never in a request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from huey.api import Task
from huey.contrib.djhuey import db_task

from ownup import chat
from ownup.reporting.models import Mistake
from ownup.reporting.services import can_see, people_to_notify
from ownup.reporting.stages import NEXT_STEP

NOTIFY_RETRIES = 5


@db_task(retries=NOTIFY_RETRIES, retry_delay=60, context=True)
def notify_reported(mistake_id: int, task: Task | None = None) -> int:
    """Email the people who respond to a new report, and have it posted to its team's chat;
    returns how many were emailed."""
    mistake = (
        Mistake.objects.select_related("severity", "team", "reporter").filter(pk=mistake_id).first()
    )
    if mistake is None:
        return 0
    first_attempt = task is None or task.retries == NOTIFY_RETRIES
    if first_attempt and mistake.team and mistake.team.chat_url and not mistake.is_confidential:
        # A task of its own, queued once: a chat that is down is retried alone, and a mail
        # server that is down does not post the report twice.
        post_to_team_chat(mistake.pk)
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
def post_to_team_chat(mistake_id: int) -> bool:
    """Post a new report to its team's chat channel; never a confidential one."""
    mistake = Mistake.objects.select_related("severity", "team").filter(pk=mistake_id).first()
    if mistake is None or mistake.team is None or not mistake.team.chat_url:
        return False
    if mistake.is_confidential:
        return False
    chat.post(
        mistake.team.chat_url,
        title=f"[{mistake.severity}] Reported: {mistake.title}",
        body=render_to_string(
            "reporting/chat/reported.txt", {"mistake": mistake, "base_url": settings.BASE_URL}
        ).strip(),
    )
    return True


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
