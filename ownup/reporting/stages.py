"""The stage machine: which moves a mistake may make, and what each move records.

Every interface (web, API, CLI) moves a mistake through :func:`move`, so the rules are the same
everywhere. The other apps say what a stage needs before a mistake may enter it with
:func:`requirement`; entering a stage whose needs are not met, or passing over a stage, is a
skip, and a skip needs a recorded reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ownup.reporting.changes import mistakes_changed
from ownup.reporting.models import Mistake, Stage, TimelineEntry

Requirement = Callable[[Mistake], str | None]
"""Looks at a mistake and says what is missing for a stage, or None when nothing is."""

_requirements: dict[Stage, list[Requirement]] = {stage: [] for stage in Stage}

# What each stage asks of the people working on the mistake, shown as the next step.
NEXT_STEP: dict[Stage, str] = {
    Stage.REPORTED: "Contain it: stop the harm with a quick fix that can be undone.",
    Stage.CONTAINED: "Understand it: the timeline, the touch points, the causes.",
    Stage.UNDERSTOOD: "Decide: weigh the options for the real fix and choose one.",
    Stage.DECIDED: "Fix it: carry out the corrective and preventive actions.",
    Stage.FIXED: "Tell everyone involved what happened and what was done.",
    Stage.TOLD: "Monitor: check for a while that the fix keeps working.",
    Stage.MONITORING: "Close it once every check has held, and write down the lesson.",
    Stage.CLOSED: "Closed. Reopen it if the fix stops holding.",
}


class StageError(ValueError):
    """A move the rules do not allow; the message says why, in words for the user."""


def requirement(stage: Stage) -> Callable[[Requirement], Requirement]:
    """Register what a mistake needs before it may enter ``stage`` without a skip reason."""

    def register(check: Requirement) -> Requirement:
        _requirements[stage].append(check)
        return check

    return register


def unmet_requirements(mistake: Mistake, stage: Stage) -> list[str]:
    return [missing for check in _requirements[stage] if (missing := check(mistake))]


def next_stage(stage: Stage) -> Stage | None:
    stages = list(Stage)
    return stages[stage.order + 1] if stage.order + 1 < len(stages) else None


@dataclass(frozen=True)
class MovePlan:
    """What moving a mistake to ``target`` would mean, worked out before anything is written."""

    current: Stage
    target: Stage
    passed_over: list[Stage]
    unmet: list[str]

    @property
    def is_reopen(self) -> bool:
        return self.target.order < self.current.order

    @property
    def needs_reason(self) -> bool:
        return self.is_reopen or bool(self.passed_over) or bool(self.unmet)

    def why_reason_needed(self) -> str:
        if self.is_reopen:
            return f"reopening at {self.target.label} needs a reason"
        parts = []
        if self.passed_over:
            names = ", ".join(s.label for s in self.passed_over)
            parts.append(f"it skips {names}")
        parts.extend(self.unmet)
        return f"moving to {self.target.label} needs a reason because " + "; ".join(parts)


def plan_move(mistake: Mistake, target: Stage) -> MovePlan:
    current = mistake.stage_enum
    if target == current:
        raise StageError(f"the mistake is already {current.label.lower()}")
    passed_over = [s for s in Stage if current.order < s.order < target.order]
    unmet = unmet_requirements(mistake, target) if target.order > current.order else []
    return MovePlan(current=current, target=target, passed_over=passed_over, unmet=unmet)


def move(
    mistake: Mistake,
    target: Stage | str,
    *,
    actor: User | None,
    reason: str = "",
) -> Mistake:
    """Move a mistake forward (advance or skip) or back (reopen), recording why on its timeline."""
    try:
        target = Stage(target)
    except ValueError:
        choices = ", ".join(s.value for s in Stage)
        raise StageError(f"unknown stage {target!r}; choose one of {choices}") from None
    reason = reason.strip()
    with transaction.atomic():
        mistake = Mistake.objects.select_for_update().get(pk=mistake.pk)
        plan = plan_move(mistake, target)
        if plan.needs_reason and not reason:
            raise StageError(plan.why_reason_needed())
        now = timezone.now()
        mistake.stage = target
        _set_milestones(mistake, target, now)
        mistake.save()
        TimelineEntry.objects.create(
            mistake=mistake,
            at=now,
            actor=actor,
            kind=TimelineEntry.Kind.STAGE,
            text=_describe(plan, reason),
            changes={
                "stage": [plan.current.value, target.value],
                "skipped": [s.value for s in plan.passed_over],
                "unmet": plan.unmet,
                "reason": reason,
            },
        )
        # Last, after what other apps record on the move (monitoring's closure).
        mistakes_changed([mistake.pk])
    return mistake


def advance(mistake: Mistake, *, actor: User | None, reason: str = "") -> Mistake:
    following = next_stage(mistake.stage_enum)
    if following is None:
        raise StageError("a closed mistake has no further stage; reopen it instead")
    return move(mistake, following, actor=actor, reason=reason)


def _set_milestones(mistake: Mistake, target: Stage, now: datetime) -> None:
    # A milestone is when the mistake first got there; moving back clears those not yet reached.
    milestones = {
        Stage.CONTAINED: "contained_at",
        Stage.FIXED: "fixed_at",
        Stage.CLOSED: "closed_at",
    }
    for stage, field in milestones.items():
        if target.order >= stage.order:
            if getattr(mistake, field) is None:
                setattr(mistake, field, now)
        elif stage != Stage.CONTAINED:
            setattr(mistake, field, None)


def _describe(plan: MovePlan, reason: str) -> str:
    if plan.is_reopen:
        text = f"Reopened at {plan.target.label}"
    elif plan.needs_reason:
        text = f"Moved to {plan.target.label}"
        if plan.passed_over:
            text += " (skipped " + ", ".join(s.label for s in plan.passed_over) + ")"
    else:
        text = f"Moved to {plan.target.label}"
    return f"{text}: {reason}" if reason else text
