"""The rules of the real fix: actions, their verification, reminders and escalation.

Verification (was the action done, with evidence) is recorded here; whether the fix works is
for Monitoring to decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from ownup.fixes.forms import ActionForm, initial_data
from ownup.fixes.models import Action, FixPolicy, Status, Strength
from ownup.organisation.models import Membership, Role
from ownup.reporting.models import Mistake, TimelineEntry
from ownup.reporting.services import (
    AnyUser,
    InvalidInput,
    NotAllowed,
    NotFound,
    can_act,
    can_see,
    visible_mistakes,
)

WEAK_ONLY_WARNING = (
    "Every action here is weak (training, reminders, 'be more careful'). Weak actions rarely "
    "stop a mistake coming back: add one that changes the system, a forcing function or a check."
)


def actions_of(mistake: Mistake) -> QuerySet[Action]:
    return mistake.actions.select_related("owner", "verified_by")


def get_action(user: AnyUser, action_id: int | str) -> Action:
    """An action of a mistake this person may see; others look like no action at all."""
    try:
        return Action.objects.select_related("mistake", "owner", "verified_by").get(
            pk=int(action_id), mistake__in=visible_mistakes(user)
        )
    except (Action.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(f"no action #{action_id} that you can see") from None


def _validated(data: Mapping[str, Any], existing: Action | None = None) -> dict[str, Any]:
    unknown = set(data) - set(ActionForm.base_fields)
    if unknown:
        raise InvalidInput(
            {name: ["This is not a field of an action."] for name in sorted(unknown)}
        )
    form = ActionForm(data=dict(data), existing=existing)
    if not form.is_valid():
        raise InvalidInput({field: [str(m) for m in msgs] for field, msgs in form.errors.items()})
    return form.cleaned_data


def _check_owner(owner: User, mistake: Mistake) -> None:
    if not can_see(owner, mistake):
        raise InvalidInput(
            {"owner": [f"{owner.get_username()} cannot see this mistake, so cannot own an action."]}
        )


def _require_act(actor: AnyUser, mistake: Mistake, doing: str) -> None:
    if not can_act(actor, mistake):
        raise NotAllowed(f"only the mistake's people, its team's responders and admins may {doing}")


def _record(mistake: Mistake, actor: AnyUser, text: str, **changes: Any) -> None:
    TimelineEntry.objects.create(
        mistake=mistake,
        actor=actor if actor.is_authenticated else None,
        kind=TimelineEntry.Kind.CHANGED,
        text=text,
        changes=changes,
    )


def add_action(mistake: Mistake, data: Mapping[str, Any], *, actor: AnyUser) -> Action:
    """Add a corrective or preventive action to a mistake."""
    _require_act(actor, mistake, "add actions")
    cleaned = _validated(data)
    _check_owner(cleaned["owner"], mistake)
    with transaction.atomic():
        action = Action.objects.create(
            mistake=mistake, created_by=actor if actor.is_authenticated else None, **cleaned
        )
        _record(
            mistake,
            actor,
            f"Action added: {action.title} ({action.kind}, {action.strength}, "
            f"owner {action.owner.get_username()}, due {action.due_date:%Y-%m-%d})",
            action=[None, action.pk],
        )
        _tell_owner(action, actor)
    return action


def update_action(action: Action, changes: Mapping[str, Any], *, actor: AnyUser) -> Action:
    """Change an action's fields; the change is validated whole, as if made from scratch."""
    _require_act(actor, action.mistake, "change actions")
    cleaned = _validated({**initial_data(action), **changes}, existing=action)
    _check_owner(cleaned["owner"], action.mistake)
    with transaction.atomic():
        changed = [name for name, value in cleaned.items() if getattr(action, name) != value]
        for name, value in cleaned.items():
            setattr(action, name, value)
        if "due_date" in changed:
            # A new due date earns a new reminder and, if missed again, a new escalation.
            action.reminded_for = action.escalated_for = None
        action.save()
        if changed:
            _record(action.mistake, actor, f"Action changed: {action.title}", fields=changed)
        if "owner" in changed:
            _tell_owner(action, actor)
    return action


def _tell_owner(action: Action, actor: AnyUser) -> None:
    """The owner hears of an action given to them, unless they took it on themselves."""
    if actor.is_authenticated and actor.pk == action.owner_id:
        return
    by = (actor.get_full_name() or actor.get_username()) if isinstance(actor, User) else "ownup"
    pk = action.pk

    def queue() -> None:
        from ownup.fixes.tasks import notify_action_owner  # the queue, only when one is sent

        notify_action_owner(pk, by)

    transaction.on_commit(queue)


def start_action(action: Action, *, actor: AnyUser) -> Action:
    _require_owner_or_act(action, actor)
    if action.is_closed:
        raise InvalidInput({"status": [f"The action is already {action.get_status_display()}."]})
    action.status = Status.IN_PROGRESS
    action.save(update_fields=["status"])
    return action


def _require_owner_or_act(action: Action, actor: AnyUser) -> None:
    if actor.is_authenticated and actor.pk == action.owner_id:
        return
    _require_act(actor, action.mistake, "change this action")


def complete_action(action: Action, evidence: str, *, actor: AnyUser) -> Action:
    """Mark an action done; done means with evidence someone else can check."""
    _require_owner_or_act(action, actor)
    evidence = evidence.strip()
    if not evidence:
        raise InvalidInput(
            {"evidence": ["Say what shows it was done: a link, a commit, a document."]}
        )
    if action.status == Status.DONE:
        raise InvalidInput({"status": ["The action is already done."]})
    with transaction.atomic():
        action.status = Status.DONE
        action.evidence = evidence
        action.done_at = timezone.now()
        action.save(update_fields=["status", "evidence", "done_at"])
        _record(action.mistake, actor, f"Action done: {action.title}", action=[None, action.pk])
    return action


def cancel_action(action: Action, reason: str, *, actor: AnyUser) -> Action:
    _require_act(actor, action.mistake, "cancel actions")
    if action.verified_at is not None:
        raise InvalidInput(
            {"status": ["A verified action cannot be cancelled: someone checked it was done."]}
        )
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": ["Say why the action is no longer needed."]})
    with transaction.atomic():
        action.status = Status.CANCELLED
        action.cancel_reason = reason
        action.save(update_fields=["status", "cancel_reason"])
        _record(action.mistake, actor, f"Action cancelled: {action.title}: {reason}")
    return action


def verify_action(action: Action, *, actor: AnyUser, note: str = "") -> Action:
    """Record that someone checked the evidence of a done action."""
    _require_act(actor, action.mistake, "verify actions")
    if action.status != Status.DONE:
        raise InvalidInput({"status": ["Only a done action can be verified; it is not done yet."]})
    if FixPolicy.current().require_independent_verification and actor.pk == action.owner_id:
        raise NotAllowed(
            "the organisation requires someone other than the action's owner to verify it"
        )
    with transaction.atomic():
        action.verified_by = actor if actor.is_authenticated else None
        action.verified_at = timezone.now()
        action.verification_note = note.strip()
        action.save(update_fields=["verified_by", "verified_at", "verification_note"])
        _record(action.mistake, actor, f"Action verified: {action.title}")
    return action


def strength_warning(mistake: Mistake) -> str | None:
    """A warning when every live action of the mistake is weak."""
    strengths = set(
        mistake.actions.exclude(status=Status.CANCELLED).values_list("strength", flat=True)
    )
    return WEAK_ONLY_WARNING if strengths == {Strength.WEAK} else None


def fix_needs(mistake: Mistake) -> str | None:
    """What stops the mistake from being fixed: actions missing, not done or not verified."""
    live = list(mistake.actions.exclude(status=Status.CANCELLED))
    if not live:
        return "it has no corrective or preventive action yet"
    not_done = [a for a in live if a.status != Status.DONE]
    if not_done:
        return f"{len(not_done)} of {len(live)} actions are not done yet"
    if FixPolicy.current().require_independent_verification:
        unverified = [a for a in live if not a.is_verified]
        if unverified:
            return f"{len(unverified)} done actions still need verifying by someone else"
    return None


# ------------------------------------------------------------------ reminders and escalation


def due_for_reminder(today: date) -> QuerySet[Action]:
    """Open actions due within the reminder window whose owner has not been told of this date."""
    window = today + timedelta(days=FixPolicy.current().remind_days_before)
    return (
        Action.objects.filter(status__in=[Status.OPEN, Status.IN_PROGRESS])
        .filter(due_date__gte=today, due_date__lte=window)
        .exclude(reminded_for=F("due_date"))
        .select_related("mistake", "owner")
    )


def due_for_escalation(today: date) -> QuerySet[Action]:
    """Open actions past their due date whose escalation for that date has not gone out."""
    return (
        Action.objects.filter(status__in=[Status.OPEN, Status.IN_PROGRESS], due_date__lt=today)
        .exclude(escalated_for=F("due_date"))
        .select_related("mistake", "mistake__team", "owner")
    )


def managers_of(person: User, mistake: Mistake) -> list[User]:
    """Whom an overdue action escalates to: the managers of the owner's teams (the mistake's
    team's managers when the owner has none), never the owner, never someone who cannot see it."""
    owner_teams = Membership.objects.filter(user=person).values("team_id")
    managers = User.objects.filter(
        is_active=True,
        memberships__role=Role.MANAGER,
        memberships__team_id__in=owner_teams,
    )
    if not managers.exclude(pk=person.pk).exists() and mistake.team_id:
        managers = User.objects.filter(
            is_active=True, memberships__role=Role.MANAGER, memberships__team_id=mistake.team_id
        )
    found = managers.exclude(pk=person.pk).exclude(email="").distinct().order_by("username")
    return [manager for manager in found if can_see(manager, mistake)]


def overdue_action_count(mistakes: QuerySet[Mistake]) -> int:
    """Open actions of these mistakes past their due date: the dashboard's figure."""
    # Each overdue action looks up its own mistake: "mistake in (these mistakes)" would list
    # every mistake of the period first, a million of them for a few actions.
    return (
        Action.objects.filter(due_date__lt=timezone.localdate())
        .exclude(status__in=[Status.DONE, Status.CANCELLED])
        .filter(Exists(mistakes.filter(pk=OuterRef("mistake_id"))))
        .count()
    )
