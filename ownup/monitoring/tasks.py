"""The worker's side of monitoring: the minute dispatcher, the batches of runs, and the emails."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ownup.monitoring import services
from ownup.monitoring.models import CheckRun, Closure, EffectivenessCheck, Outcome
from ownup.reporting.models import Mistake
from ownup.reporting.services import can_see

# The dispatcher runs once a minute and queues the slots of the next minute and a half: each
# batch waits in the queue's schedule for its second, so a check starts on time even though
# the dispatcher does not run every second, and a dispatcher up to half a minute late leaves
# no slot behind.
DISPATCH_AHEAD = timedelta(seconds=90)


@db_periodic_task(crontab(minute="*"))
def dispatch_due_checks() -> int:
    """Every minute: expire unanswered check-ins, then queue the coming slots in batches."""
    services.expire_checkins()
    now = timezone.now()
    batches = services.dispatch(now, ahead=DISPATCH_AHEAD)
    for batch in batches:
        due = max(slot for _, slot in batch)
        if due > now:
            run_check_batch.schedule(args=(batch,), eta=due)
        else:
            run_check_batch(batch)
    return sum(len(b) for b in batches)


@db_periodic_task(crontab(minute="*/15"))
def close_verified_mistakes() -> list[int]:
    return services.close_verified()


@db_task()
def run_check_batch(slots: list[tuple[int, datetime]]) -> int:
    """Run a batch of due slots; a slot another worker already took is left to it."""
    return len(services.run_slots(slots))


@db_task()
def run_check_now(check_id: int) -> str:
    check = EffectivenessCheck.objects.select_related("mistake", "person").filter(pk=check_id)
    found = check.first()
    if found is None:
        return "removed"
    return services.run_now(found).outcome


@db_task(retries=5, retry_delay=60)
def send_checkin(run_id: int) -> bool:
    """Ask the check-in's person 'is it still fine?' with signed yes and no links."""
    run = (
        CheckRun.objects.select_related("check_ref__mistake", "check_ref__person")
        .filter(pk=run_id, outcome=Outcome.WAITING)
        .first()
    )
    if run is None or run.check_ref.person is None:
        return False
    check, person = run.check_ref, run.check_ref.person
    if not person.email or not can_see(person, check.mistake):
        return False
    _email(
        person,
        f"Still fine? {check.mistake.title}",
        "checkin",
        check=check,
        mistake=check.mistake,
        run=run,
        yes_url=_answer_url(run, "yes"),
        no_url=_answer_url(run, "no"),
    )
    return True


def _email(person: User, subject: str, template: str, **context: Any) -> None:
    message = render_to_string(
        f"monitoring/email/{template}.txt",
        {**context, "person": person, "base_url": settings.BASE_URL},
    )
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[person.email])


def _answer_url(run: CheckRun, answer: str) -> str:
    from django.urls import reverse

    token = services.checkin_token(run, answer)
    return settings.BASE_URL + reverse("monitoring:checkin", args=[token])


@db_task(retries=5, retry_delay=60)
def notify_reopened(mistake_id: int, check_id: int) -> int:
    """Tell the owner and the responders that a check failed and the mistake is open again."""
    mistake = Mistake.objects.select_related("severity", "team", "owner").filter(pk=mistake_id)
    found = mistake.first()
    check = EffectivenessCheck.objects.filter(pk=check_id).first()
    if found is None or check is None:
        return 0
    last = check.runs.filter(outcome=Outcome.FAILED).order_by("-slot").first()
    sent = 0
    for person in services.people_to_tell(found):
        subject = f"[{found.severity}] Reopened: the fix did not hold: {found.title}"
        _email(person, subject, "reopened", mistake=found, check=check, run=last)
        sent += 1
    return sent


@db_task(retries=5, retry_delay=60)
def thank_the_team(closure_id: int) -> int:
    closure = Closure.objects.select_related("mistake").filter(pk=closure_id).first()
    if closure is None:
        return 0
    mistake = closure.mistake
    people = [p for _, p in services.people_to_thank(mistake) if p.email and can_see(p, mistake)]
    names = [name for name, _ in services.people_to_thank(mistake)]
    for person in people:
        subject = f"Closed, thank you: {mistake.title}"
        _email(person, subject, "thanks", mistake=mistake, closure=closure, names=names)
    return len(people)
