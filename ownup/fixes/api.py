"""API routes for the real fix: thin adapters over the fixes services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ownup.fixes import services
from ownup.fixes.models import TITLE_MAX_LENGTH, Kind, Strength
from ownup.fixes.models import Status as ActionStatus
from ownup.fixes.records import action_record
from ownup.reporting.services import get_mistake

router = Router(tags=["Fixes"])


class ActionIn(Schema):
    title: str = Field(..., max_length=TITLE_MAX_LENGTH, description="What will be done.")
    kind: Kind = Kind.CORRECTIVE
    strength: Strength = Field(
        Strength.MEDIUM, description="strong: changes the system; medium: a check; weak: training."
    )
    owner: str = Field(..., description="The username of the person who owns it.")
    due_date: date = Field(..., description="Today or later.")
    tracker_url: str = Field("", description="A link to the ticket in any outside tracker.")


class ActionChange(Schema):
    title: str | None = Field(None, max_length=TITLE_MAX_LENGTH)
    kind: Kind | None = None
    strength: Strength | None = None
    owner: str | None = None
    due_date: date | None = None
    tracker_url: str | None = None


class ActionOut(Schema):
    id: int
    mistake: int
    title: str
    kind: Kind
    strength: Strength
    owner: str
    due_date: date
    status: ActionStatus
    overdue: bool
    tracker_url: str
    evidence: str
    done_at: datetime | None
    cancel_reason: str
    verified_by: str | None
    verified_at: datetime | None
    verification_note: str


class ActionsOut(Schema):
    items: list[ActionOut]
    strength_warning: str | None = Field(description="Set when every action is weak.")
    fix_needs: str | None = Field(description="What stops the mistake from being fixed.")


class DoneIn(Schema):
    evidence: str = Field(..., description="What shows it was done: a link, a commit, a document.")


class VerifyIn(Schema):
    note: str = Field("", description="What the reviewer checked.")


class CancelIn(Schema):
    reason: str


@router.get("/mistakes/{mistake_id}/actions", response=ActionsOut, summary="A mistake's actions")
def list_actions(request: HttpRequest, mistake_id: int) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    return {
        "items": [action_record(a) for a in services.actions_of(mistake)],
        "strength_warning": services.strength_warning(mistake),
        "fix_needs": services.fix_needs(mistake),
    }


@router.post(
    "/mistakes/{mistake_id}/actions",
    response={201: ActionOut},
    summary="Add a corrective or preventive action",
)
def add_action(request: HttpRequest, mistake_id: int, payload: ActionIn) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    action = services.add_action(mistake, payload.model_dump(), actor=request.user)
    return Status(201, action_record(action))


@router.get("/actions/{action_id}", response=ActionOut, summary="One action")
def show_action(request: HttpRequest, action_id: int) -> dict[str, Any]:
    return action_record(services.get_action(request.user, action_id))


@router.patch("/actions/{action_id}", response=ActionOut, summary="Change an action")
def change_action(request: HttpRequest, action_id: int, payload: ActionChange) -> dict[str, Any]:
    action = services.get_action(request.user, action_id)
    changes = payload.model_dump(exclude_unset=True)
    return action_record(services.update_action(action, changes, actor=request.user))


@router.post("/actions/{action_id}/start", response=ActionOut, summary="Mark an action started")
def start_action(request: HttpRequest, action_id: int) -> dict[str, Any]:
    action = services.get_action(request.user, action_id)
    return action_record(services.start_action(action, actor=request.user))


@router.post(
    "/actions/{action_id}/done", response=ActionOut, summary="Mark an action done, with evidence"
)
def complete_action(request: HttpRequest, action_id: int, payload: DoneIn) -> dict[str, Any]:
    action = services.get_action(request.user, action_id)
    return action_record(services.complete_action(action, payload.evidence, actor=request.user))


@router.post(
    "/actions/{action_id}/verify",
    response=ActionOut,
    summary="Verify a done action",
    description="Records that the evidence was checked. When the organisation requires it, the "
    "reviewer must be someone other than the owner. Whether the fix works is Monitoring's call.",
)
def verify_action(request: HttpRequest, action_id: int, payload: VerifyIn) -> dict[str, Any]:
    action = services.get_action(request.user, action_id)
    return action_record(services.verify_action(action, actor=request.user, note=payload.note))


@router.post("/actions/{action_id}/cancel", response=ActionOut, summary="Cancel an action")
def cancel_action(request: HttpRequest, action_id: int, payload: CancelIn) -> dict[str, Any]:
    action = services.get_action(request.user, action_id)
    return action_record(services.cancel_action(action, payload.reason, actor=request.user))
