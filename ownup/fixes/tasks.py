"""The owner told of an action given to them; reminders before its due date and escalation
after it; all run by the worker.

Both run every hour and are idempotent: an action records the due date it was reminded of and
escalated for, so a second run (or a second worker) sends nothing twice, and moving the due date
earns a fresh reminder.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ownup.fixes.models import Action
from ownup.fixes.services import due_for_escalation, due_for_reminder, managers_of
from ownup.reporting.services import can_see


def _claim(action: Action, field: str) -> bool:
    # The conditional update lets only one worker write about this due date.
    claimed = (
        Action.objects.filter(pk=action.pk)
        .exclude(**{field: action.due_date})
        .update(**{field: action.due_date})
    )
    return claimed == 1


@db_task(retries=5, retry_delay=60)
def notify_action_owner(action_id: int, by: str) -> int:
    """Email the owner of an action given to them (``by``: who gave it)."""
    action = Action.objects.select_related("owner", "mistake").filter(pk=action_id).first()
    if action is None or action.is_closed:
        return 0
    owner = action.owner
    if not owner.is_active or not owner.email or not can_see(owner, action.mistake):
        return 0
    context = {"action": action, "by": by, "base_url": settings.BASE_URL}
    send_mail(
        subject=f"Yours to do by {action.due_date:%-d %B}: {action.title}",
        message=render_to_string("fixes/email/given.txt", context),
        from_email=None,
        recipient_list=[owner.email],
    )
    return 1


@db_periodic_task(crontab(minute="5"))
def remind_due_actions() -> int:
    """Email each owner whose open action falls due within the organisation's window."""
    today = timezone.localdate()
    sent = 0
    for action in due_for_reminder(today):
        owner = action.owner
        if not owner.email or not can_see(owner, action.mistake):
            continue
        with transaction.atomic():
            if not _claim(action, "reminded_for"):
                continue
            days = (action.due_date - today).days
            context = {"action": action, "days": days, "base_url": settings.BASE_URL}
            send_mail(
                subject=f"Due {_in_days(days)}: {action.title}",
                message=render_to_string("fixes/email/reminder.txt", context),
                from_email=None,
                recipient_list=[owner.email],
            )
        sent += 1
    return sent


@db_periodic_task(crontab(minute="10"))
def escalate_overdue_actions() -> int:
    """Email the owner's managers about each action past its due date, once per due date."""
    today = timezone.localdate()
    sent = 0
    for action in due_for_escalation(today):
        managers = managers_of(action.owner, action.mistake)
        if not managers:
            continue
        with transaction.atomic():
            if not _claim(action, "escalated_for"):
                continue
            context = {
                "action": action,
                "days_late": (today - action.due_date).days,
                "base_url": settings.BASE_URL,
            }
            send_mail(
                subject=f"Overdue: {action.title} (owner {_name(action.owner)})",
                message=render_to_string("fixes/email/escalation.txt", context),
                from_email=None,
                recipient_list=[manager.email for manager in managers],
            )
        sent += 1
    return sent


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    return "tomorrow" if days == 1 else f"in {days} days"


def _name(person: User) -> str:
    return person.get_full_name() or person.get_username()
