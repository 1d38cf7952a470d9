"""The rules of containment: the do-no-harm check, approval of what cannot be undone, customer
care, private support for the person who made the mistake, and escalation when time runs out.

Web views, API routes and CLI commands call these functions only, so the rules are the same
everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ownup.containment.models import (
    AGREED_BY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ActionStatus,
    ContainmentAction,
    CustomerCare,
    Escalation,
    SupportStep,
)
from ownup.middleware import control_character, named
from ownup.organisation.models import Membership, Role
from ownup.reporting.models import DESCRIPTION_MAX_LENGTH, Mistake, Stage, TimelineEntry
from ownup.reporting.services import (
    AnyUser,
    InvalidInput,
    NotAllowed,
    aware,
    can_act,
    can_see,
)
from ownup.reporting.stages import StageError

# Escalation levels as multiples of the severity's target time to contain: the team's managers
# hear at the target, again at twice and at four times it.
ESCALATION_FACTORS = (1, 2, 4)

CONTAINED_STATUSES = (ActionStatus.TAKEN, ActionStatus.REMOVED)


def refuse_null_characters(fields: Mapping[str, str | None]) -> None:
    """Text with a NUL or another control character is refused up front, as every request's
    is (ownup.middleware): the CLI's words come here without a request."""
    bad = {
        name: [f"Remove {named(found)} from it."]
        for name, value in fields.items()
        if isinstance(value, str) and (found := control_character(value))
    }
    if bad:
        raise InvalidInput(bad)


def _require_actor(user: AnyUser, mistake: Mistake, doing: str) -> None:
    if not can_act(user, mistake):
        raise NotAllowed(f"only the mistake's people, its team's responders and admins may {doing}")


def _clean_text(
    errors: dict[str, list[str]],
    field: str,
    value: str | None,
    missing: str,
    limit: int = TEXT_MAX_LENGTH,
) -> str:
    # Short fields are one line; long ones keep the writer's paragraphs.
    text = " ".join((value or "").split()) if limit <= TEXT_MAX_LENGTH else (value or "").strip()
    if not text:
        errors.setdefault(field, []).append(missing)
    elif len(text) > limit:
        errors.setdefault(field, []).append(f"Keep it under {limit} characters.")
    return text


def record_action(
    mistake: Mistake,
    *,
    actor: AnyUser,
    what: str,
    could_harm: str,
    reversible: bool,
    rollback: str = "",
    agreed_by: str,
    remove_by: datetime | None,
    taken_at: datetime | None = None,
) -> ContainmentAction:
    """Record a quick fix with its do-no-harm check.

    One that can be undone is taken at once (at ``taken_at`` or now). One that cannot be undone
    is only proposed: someone other than its author must approve it before it is taken.
    """
    _require_actor(actor, mistake, "contain it")
    refuse_null_characters(
        {"what": what, "could_harm": could_harm, "rollback": rollback, "agreed_by": agreed_by}
    )
    remove_by, taken_at = aware(remove_by, "remove_by"), aware(taken_at, "taken_at")
    errors: dict[str, list[str]] = {}
    what = _clean_text(errors, "what", what, "Say what was done.", TEXT_MAX_LENGTH)
    could_harm = _clean_text(
        errors,
        "could_harm",
        could_harm,
        "Say what it could harm (write 'nothing' if you checked and it cannot).",
        TEXT_MAX_LENGTH,
    )
    agreed_by = _clean_text(
        errors, "agreed_by", agreed_by, "Say who agreed to it.", AGREED_BY_MAX_LENGTH
    )
    rollback = " ".join((rollback or "").split())
    if reversible and not rollback:
        errors["rollback"] = ["Say how to undo it: the rollback."]
    if len(rollback) > TEXT_MAX_LENGTH:
        errors["rollback"] = [f"Keep it under {TEXT_MAX_LENGTH} characters."]
    now = timezone.now()
    if taken_at is not None and taken_at > now:
        errors["taken_at"] = ["It cannot have been done in the future."]
    start = taken_at or now
    if remove_by is None:
        errors["remove_by"] = ["Say when it should be removed: containment is temporary."]
    elif remove_by <= start:
        errors["remove_by"] = ["It should be removed after it was put in place."]
    if errors:
        raise InvalidInput(errors)
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        action = ContainmentAction(
            mistake=mistake,
            what=what,
            could_harm=could_harm,
            reversible=reversible,
            rollback=rollback,
            agreed_by=agreed_by,
            remove_by=remove_by,
            author=user,
            created_at=now,
        )
        if reversible:
            action.status = ActionStatus.TAKEN
            action.taken_by, action.taken_at = user, start
            text = f"Contained: {what}"
        else:
            action.status = ActionStatus.PROPOSED
            text = f"Proposed a containment that cannot be undone: {what}"
        action.save()
        _story(mistake, user, text, action.taken_at or now, action)
    return action


def approve(action: ContainmentAction, *, actor: AnyUser) -> ContainmentAction:
    """Approve a proposed action that cannot be undone: the approver must not be its author."""
    _require_actor(actor, action.mistake, "approve a containment")
    if action.reversible:
        raise StageError("this action can be undone: it needs no approval")
    if action.status != ActionStatus.PROPOSED:
        raise StageError(f"this action is already {action.get_status_display().lower()}")
    if action.author_id == actor.pk:
        raise NotAllowed("an action that cannot be undone needs an approver other than its author")
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        action.status = ActionStatus.APPROVED
        action.approved_by, action.approved_at = user, timezone.now()
        action.save()
        _story(action.mistake, user, f"Approved the containment: {action.what}", None, action)
    return action


def take(
    action: ContainmentAction, *, actor: AnyUser, at: datetime | None = None
) -> ContainmentAction:
    """Record an approved action as taken."""
    _require_actor(actor, action.mistake, "contain it")
    if action.status == ActionStatus.PROPOSED:
        raise StageError(
            "this action cannot be undone: someone other than its author must approve it first"
        )
    if action.status != ActionStatus.APPROVED:
        raise StageError(f"this action is already {action.get_status_display().lower()}")
    at = aware(at, "taken_at")
    if at is not None and at > timezone.now():
        raise InvalidInput({"taken_at": ["It cannot have been done in the future."]})
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        action.status = ActionStatus.TAKEN
        action.taken_by, action.taken_at = user, at or timezone.now()
        action.save()
        _story(action.mistake, user, f"Contained: {action.what}", action.taken_at, action)
    return action


def remove(action: ContainmentAction, *, actor: AnyUser) -> ContainmentAction:
    """Take a containment off again, usually once the real fix is in."""
    _require_actor(actor, action.mistake, "remove a containment")
    if action.status != ActionStatus.TAKEN:
        raise StageError("only a containment that is in place can be removed")
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        action.status = ActionStatus.REMOVED
        action.removed_by, action.removed_at = user, timezone.now()
        action.save()
        _story(action.mistake, user, f"Removed the containment: {action.what}", None, action)
    return action


def get_action(mistake: Mistake, action_id: int | str) -> ContainmentAction:
    from ownup.reporting.services import NotFound

    try:
        return mistake.containment_actions.select_related("mistake").get(pk=int(action_id))
    except (ContainmentAction.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"no containment action #{action_id} on mistake #{mistake.pk}") from None


def record_customer_care(
    mistake: Mistake, *, actor: AnyUser, text: str, at: datetime | None = None
) -> CustomerCare:
    """What was done right now for the affected customers (a call, a credit, an apology)."""
    _require_actor(actor, mistake, "record what was done for customers")
    refuse_null_characters({"text": text})
    at = aware(at, "at")
    errors: dict[str, list[str]] = {}
    text = _clean_text(
        errors, "text", text, "Say what was done for the customers.", DESCRIPTION_MAX_LENGTH
    )
    if at is not None and at > timezone.now():
        errors["at"] = ["It cannot have been done in the future."]
    if errors:
        raise InvalidInput(errors)
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        care = CustomerCare.objects.create(
            mistake=mistake, text=text, at=at or timezone.now(), by=user
        )
        _story(mistake, user, f"For the customers: {text}", care.at, None)
    return care


def is_team_manager(user: AnyUser, mistake: Mistake) -> bool:
    """A manager of the mistake's team (of any team when it has none), or an admin."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    managing = Membership.objects.filter(user=user, role=Role.MANAGER)
    if mistake.team_id:
        managing = managing.filter(team_id=mistake.team_id)
    return managing.exists()


def can_see_support(user: AnyUser, mistake: Mistake) -> bool:
    """Support for the person who made the mistake is private: managers and the reporter only."""
    if not can_see(user, mistake):
        return False
    return user.pk == mistake.reporter_id or is_team_manager(user, mistake)


def support_steps(user: AnyUser, mistake: Mistake) -> QuerySet[SupportStep]:
    if not can_see_support(user, mistake):
        return SupportStep.objects.none()
    return mistake.support_steps.select_related("offered_by")


def offer_support(mistake: Mistake, *, actor: AnyUser, note: str = "") -> SupportStep:
    """Record that someone offered support to the person who made the mistake."""
    if not can_see(actor, mistake) or not is_team_manager(actor, mistake):
        raise NotAllowed("only the team's managers record support for the person who made it")
    refuse_null_characters({"note": note})
    note = " ".join((note or "").split())
    if len(note) > TEXT_MAX_LENGTH:
        raise InvalidInput({"note": [f"Keep it under {TEXT_MAX_LENGTH} characters."]})
    user = actor if isinstance(actor, User) else None
    # Not on the timeline: the timeline is seen by everyone who sees the mistake.
    return SupportStep.objects.create(mistake=mistake, offered_by=user, note=note)


def is_contained(mistake: Mistake) -> bool:
    return mistake.containment_actions.filter(status__in=CONTAINED_STATUSES).exists()


def containment_summary(mistake: Mistake) -> str:
    """What was done at once, for a message to the people involved: each containment taken
    (and whether it has since been removed), then what was done for the affected customers,
    one line each."""
    lines = [
        f"- {action.what}" + (" (since removed)" if action.status == ActionStatus.REMOVED else "")
        for action in mistake.containment_actions.filter(status__in=CONTAINED_STATUSES)
    ]
    lines += [f"- {care.text}" for care in mistake.customer_care.all()]
    return "\n".join(lines)


def lingering(mistake: Mistake) -> list[ContainmentAction]:
    """Containments still in place although the mistake reached Fixed."""
    if mistake.fixed_at is None:
        return []
    return list(mistake.containment_actions.filter(status=ActionStatus.TAKEN))


@dataclass(frozen=True)
class ContainClock:
    """How the mistake stands against its severity's target time to contain."""

    target: timedelta
    deadline: datetime
    contained: bool

    @property
    def overdue(self) -> bool:
        return not self.contained and timezone.now() > self.deadline


def contain_clock(mistake: Mistake) -> ContainClock:
    target = mistake.severity.target_contain
    return ContainClock(
        target=target,
        deadline=mistake.reported_at + target,
        contained=mistake.contained_at is not None or is_contained(mistake),
    )


def uncontained() -> QuerySet[Mistake]:
    """Mistakes still waiting for their first containment."""
    return (
        Mistake.objects.filter(stage=Stage.REPORTED, contained_at__isnull=True)
        .exclude(containment_actions__status__in=CONTAINED_STATUSES)
        .select_related("severity", "team")
    )


def due_level(mistake: Mistake, now: datetime) -> int:
    """The highest escalation level the time since reporting has reached; 0 for none yet."""
    target = mistake.severity.target_contain
    if target <= timedelta(0):
        return 0
    elapsed = now - mistake.reported_at
    return sum(1 for factor in ESCALATION_FACTORS if elapsed >= target * factor)


def escalate_due(now: datetime | None = None) -> list[Escalation]:
    """Create the escalations that are due; each mistake escalates once per level.

    A worker that was down catches up with the highest level reached, not with every level missed.
    """
    now = now or timezone.now()
    created: list[Escalation] = []
    for mistake in uncontained():
        level = due_level(mistake, now)
        if level == 0:
            continue
        with transaction.atomic():
            highest = max(mistake.escalations.values_list("level", flat=True), default=0)
            if level <= highest:
                continue
            escalation, new = Escalation.objects.get_or_create(
                mistake=mistake, level=level, defaults={"at": now}
            )
            if new:
                minutes = int((now - mistake.reported_at).total_seconds() // 60)
                _story(
                    mistake,
                    None,
                    f"Escalated to the managers (level {level}): not contained "
                    f"{minutes} min after the report",
                    now,
                    None,
                )
                created.append(escalation)
    return created


def managers_to_tell(mistake: Mistake) -> list[User]:
    """The managers who hear of an escalation: the team's, or every manager's when it has none;
    only those who may see the mistake and have an address."""
    memberships = Membership.objects.filter(role=Role.MANAGER, user__is_active=True)
    if mistake.team_id:
        memberships = memberships.filter(team_id=mistake.team_id)
    candidates = User.objects.filter(pk__in=memberships.values("user_id")).exclude(email="")
    return [user for user in candidates.order_by("username") if can_see(user, mistake)]


def _story(
    mistake: Mistake,
    actor: User | None,
    text: str,
    at: datetime | None,
    action: ContainmentAction | None,
) -> None:
    changes: dict[str, Any] = {"containment_action": action.pk} if action else {}
    TimelineEntry.objects.create(
        mistake=mistake,
        at=at or timezone.now(),
        actor=actor,
        kind=TimelineEntry.Kind.EVENT,
        text=text,
        changes=changes,
    )
