"""The containment part of the demo stories: what was done at once, and for whom."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User

from ownup.containment import services
from ownup.containment.models import ContainmentAction, Escalation, SupportStep
from ownup.reporting.models import Mistake, TimelineEntry


def _person(username: str) -> User:
    return User.objects.get(username=username)


def _backdate_story(mistake: Mistake, when: datetime) -> None:
    # The services write the story as it happens; the demo tells it as it happened days ago.
    latest = mistake.timeline.order_by("-pk").first()
    if latest is not None:
        TimelineEntry.objects.filter(pk=latest.pk).update(at=when, recorded_at=when)


def _action(
    mistake: Mistake, who: str, minutes: int, days_in_place: int, **check: object
) -> ContainmentAction:
    taken_at = mistake.reported_at + timedelta(minutes=minutes)
    action = services.record_action(
        mistake,
        actor=_person(who),
        taken_at=taken_at,
        remove_by=taken_at + timedelta(days=days_in_place),
        **check,  # type: ignore[arg-type]
    )
    ContainmentAction.objects.filter(pk=action.pk).update(created_at=taken_at)
    return action


def _removed(action: ContainmentAction, who: str, when: datetime) -> None:
    services.remove(action, actor=_person(who))
    ContainmentAction.objects.filter(pk=action.pk).update(removed_at=when)
    _backdate_story(action.mistake, when)


def _care(mistake: Mistake, who: str, minutes: int, text: str) -> None:
    services.record_customer_care(
        mistake,
        actor=_person(who),
        text=text,
        at=mistake.reported_at + timedelta(minutes=minutes),
    )


def _support(mistake: Mistake, who: str, hours: int, note: str) -> None:
    step = services.offer_support(mistake, actor=_person(who), note=note)
    SupportStep.objects.filter(pk=step.pk).update(
        offered_at=mistake.reported_at + timedelta(hours=hours)
    )


def load(mistakes: dict[str, Mistake]) -> None:
    invoices = mistakes["invoices"]
    _action(
        invoices,
        "bo",
        18,
        5,
        what="Paused the April invoice run and the automatic payment reminders",
        could_harm="Invoices due this week go out a few days late, so cash comes in later",
        reversible=True,
        rollback="Resume the run and the reminders in the billing console (Settings → Runs)",
        agreed_by="Ada Lovelace, billing manager",
    )
    purge = services.record_action(
        invoices,
        actor=_person("bo"),
        what="Disable the price-list import and delete its three queued runs",
        could_harm="The May price changes must be imported by hand until it is back on",
        reversible=False,
        rollback="Deleted runs cannot be restored; they would be queued again from scratch",
        agreed_by="Ada Lovelace and Cy Okafor",
        remove_by=invoices.reported_at + timedelta(days=7),
    )
    proposed_at = invoices.reported_at + timedelta(minutes=40)
    ContainmentAction.objects.filter(pk=purge.pk).update(created_at=proposed_at)
    _backdate_story(invoices, proposed_at)
    services.approve(purge, actor=_person("ada"))
    _backdate_story(invoices, proposed_at + timedelta(minutes=6))
    purge.refresh_from_db()
    services.take(purge, actor=_person("bo"), at=proposed_at + timedelta(minutes=15))
    ContainmentAction.objects.filter(pk=purge.pk).update(
        approved_at=proposed_at + timedelta(minutes=6)
    )
    _care(
        invoices,
        "ada",
        95,
        "Emailed the 214 customers: their March invoice is too low, a corrected one follows, "
        "and nobody pays twice.",
    )
    _care(invoices, "bo", 150, "Called the five largest customers to apologise in person.")
    _support(
        invoices,
        "ada",
        2,
        "Talked it through with Cy the same morning and thanked them for reporting it at once.",
    )

    # Waiting, as the demo opens, for a manager to agree: what cannot be undone needs a second
    # person (Ada, logging in, finds it under "Waiting for you").
    folder = mistakes["folder"]
    revoke = services.record_action(
        folder,
        actor=_person("bo"),
        what="Revoke every outside link to the Contracts share until the folder is back",
        could_harm="Partners who open contracts by a link lose access until they get a new one",
        reversible=False,
        rollback="Revoked links cannot come back; each partner would be sent a new one",
        agreed_by="Bo Jensen, asking a manager to approve",
        remove_by=folder.reported_at + timedelta(days=3),
    )
    ContainmentAction.objects.filter(pk=revoke.pk).update(
        created_at=folder.reported_at + timedelta(minutes=20)
    )
    _backdate_story(folder, folder.reported_at + timedelta(minutes=20))

    deploy = mistakes["deploy"]
    rollback = _action(
        deploy,
        "eli",
        9,
        2,
        what="Rolled checkout back to release 2026.11.3",
        could_harm="The two small fixes in 2026.11.4 are gone until it is redeployed",
        reversible=True,
        rollback="Redeploy 2026.11.4 once the payment keys are in its configuration",
        agreed_by="Dee Marsh, on-call manager",
    )
    _action(
        deploy,
        "dee",
        30,
        10,
        what="Froze deploys to checkout until the configuration check knows the payment keys",
        could_harm="Urgent checkout fixes need the manager's override to ship",
        reversible=True,
        rollback="Lift the freeze in the deploy tool",
        agreed_by="The platform team at the incident call",
    )
    _removed(rollback, "eli", deploy.reported_at + timedelta(days=1, hours=2))
    _care(
        deploy,
        "dee",
        45,
        "Posted on the status page and refunded the 12 orders charged twice during the outage.",
    )
    _support(deploy, "dee", 5, "Checked in with Eli after the incident call: no blame, good catch.")

    deadline = mistakes["deadline"]
    _action(
        deadline,
        "dee",
        120,
        14,
        what="Put every regulatory deadline of the quarter in the team calendar, with reminders",
        could_harm="Nothing: the calendar entries only add reminders",
        reversible=True,
        rollback="Delete the calendar entries",
        agreed_by="Dee Marsh",
    )
    _care(
        deadline,
        "dee",
        180,
        "Called the regulator's contact to explain the delay before the late report arrived.",
    )
    Escalation.objects.create(
        mistake=deadline, level=1, at=deadline.reported_at + timedelta(hours=1), notified=["dee"]
    )

    near_miss = mistakes["near-miss"]
    hold = _action(
        near_miss,
        "cy",
        6,
        10,
        what="Held refunds to accounts that share a name with another account",
        could_harm="About ten refunds a week wait a day for a manual check",
        reversible=True,
        rollback="Lift the hold in the refunds screen",
        agreed_by="Bo Jensen",
    )
    _removed(hold, "bo", near_miss.reported_at + timedelta(days=18))
