"""The emails of the library: a weekly digest, and a reminder a year after a mistake closed.

Both are idempotent: a digest is recorded per person and period, a reminder per mistake, so a
retried or doubled run sends nothing twice. Each person gets only what they may see.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from ownup.learning.models import AnniversaryReminder, DigestSent
from ownup.learning.services import anniversaries_due, digest_for
from ownup.reporting.services import can_see

PERIOD = timedelta(days=7)


def digest_period(now: datetime) -> tuple[datetime, datetime]:
    """The last whole week, Monday to Monday in the organisation's time zone."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end = today - timedelta(days=today.weekday())
    return end - PERIOD, end


def send_digests(now: datetime) -> int:
    """Send last week's digest to each active person with news they may see; returns how many."""
    start, end = digest_period(now)
    already = set(DigestSent.objects.filter(period_start=start).values_list("recipient", flat=True))
    sent = 0
    for person in User.objects.filter(is_active=True).exclude(email="").order_by("pk"):
        if person.pk in already:
            continue
        news = digest_for(person, start, end)
        if not news:
            continue
        context = {
            "person": person,
            "digest": news,
            "start": start,
            "end": end - timedelta(days=1),
            "base_url": settings.BASE_URL,
        }
        send_mail(
            subject=f"What we learned, week of {start:%d %B %Y}",
            message=render_to_string("learning/email/digest.txt", context),
            from_email=None,
            recipient_list=[person.email],
        )
        DigestSent.objects.create(recipient=person, period_start=start)
        sent += 1
    return sent


def send_anniversary_reminders(now: datetime) -> int:
    """Ask each owner of a mistake closed a year ago whether the fix still holds."""
    sent = 0
    for mistake in anniversaries_due(now):
        owner = mistake.owner
        if owner is None or not can_see(owner, mistake):
            continue
        context = {"mistake": mistake, "person": owner, "base_url": settings.BASE_URL}
        send_mail(
            subject=f"A year on: is the fix for #{mistake.pk} still holding?",
            message=render_to_string("learning/email/anniversary.txt", context),
            from_email=None,
            recipient_list=[owner.email],
        )
        AnniversaryReminder.objects.create(mistake=mistake)
        sent += 1
    return sent
