"""API routes for containment: thin adapters over the containment services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ownup.containment import services
from ownup.containment.models import ActionStatus
from ownup.containment.records import (
    action_record,
    care_record,
    containment_record,
    support_record,
)
from ownup.reporting.services import get_mistake

router = Router(tags=["Containment"])


class ContainmentActionIn(Schema):
    what: str = Field(..., description="What was done to stop the harm.")
    could_harm: str = Field(..., description="The do-no-harm check: what this could harm.")
    reversible: bool = Field(
        ...,
        description="Whether it can be undone. One that cannot is only proposed and needs "
        "the approval of someone other than its author before it is taken.",
    )
    rollback: str = Field("", description="How to undo it (needed when it can be undone).")
    agreed_by: str = Field(..., description="Who agreed to it.")
    remove_by: datetime = Field(..., description="When it should be removed again.")
    taken_at: datetime | None = Field(None, description="When it was done; now when left out.")


class TakeIn(Schema):
    taken_at: datetime | None = Field(None, description="When it was done; now when left out.")


class ContainmentActionOut(Schema):
    id: int
    what: str
    could_harm: str
    reversible: bool
    rollback: str
    agreed_by: str
    remove_by: datetime | None
    status: ActionStatus
    author: str | None
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    taken_by: str | None
    taken_at: datetime | None
    removed_by: str | None
    removed_at: datetime | None
    overdue_for_removal: bool = Field(..., description="In place past its removal date.")
    left_after_fix: bool = Field(..., description="Still in place after the mistake was fixed.")


class CareIn(Schema):
    text: str = Field(..., description="What was done right now for the affected customers.")
    at: datetime | None = Field(None, description="When; now when left out.")


class CareOut(Schema):
    id: int
    text: str
    at: datetime
    by: str | None


class SupportIn(Schema):
    note: str = Field("", description="Optional, private: how support was offered.")


class SupportOut(Schema):
    id: int
    offered_by: str | None
    offered_at: datetime
    note: str


class EscalationOut(Schema):
    level: int
    at: datetime
    notified: list[str]


class ContainmentOut(Schema):
    mistake: int
    contained: bool
    contain_by: datetime = Field(..., description="The severity's target time to contain.")
    overdue: bool = Field(..., description="Not contained and past the target time.")
    still_in_place_after_fix: bool = Field(
        ..., description="A containment is still in place although the mistake reached Fixed."
    )
    actions: list[ContainmentActionOut]
    customer_care: list[CareOut]
    support: list[SupportOut] | None = Field(
        ..., description="Private: only the team's managers and the reporter see it (else null)."
    )
    escalations: list[EscalationOut]


@router.get(
    "/mistakes/{mistake_id}/containment",
    response=ContainmentOut,
    summary="A mistake's containment",
)
def show(request: HttpRequest, mistake_id: int) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    return containment_record(request.user, mistake)


@router.post(
    "/mistakes/{mistake_id}/containment",
    response={201: ContainmentActionOut},
    summary="Record a containment action with its do-no-harm check",
    description="Taken at once when it can be undone; proposed when it cannot.",
)
def add_action(
    request: HttpRequest, mistake_id: int, payload: ContainmentActionIn
) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    action = services.record_action(mistake, actor=request.user, **payload.model_dump())
    return Status(201, action_record(action))


@router.post(
    "/mistakes/{mistake_id}/containment/{action_id}/approve",
    response=ContainmentActionOut,
    summary="Approve a containment that cannot be undone (not by its author)",
)
def approve(request: HttpRequest, mistake_id: int, action_id: int) -> dict[str, Any]:
    action = services.get_action(get_mistake(request.user, mistake_id), action_id)
    return action_record(services.approve(action, actor=request.user))


@router.post(
    "/mistakes/{mistake_id}/containment/{action_id}/take",
    response=ContainmentActionOut,
    summary="Record an approved containment as taken",
)
def take(
    request: HttpRequest, mistake_id: int, action_id: int, payload: TakeIn | None = None
) -> dict[str, Any]:
    action = services.get_action(get_mistake(request.user, mistake_id), action_id)
    at = payload.taken_at if payload else None
    return action_record(services.take(action, actor=request.user, at=at))


@router.post(
    "/mistakes/{mistake_id}/containment/{action_id}/remove",
    response=ContainmentActionOut,
    summary="Remove a containment that is in place",
)
def remove(request: HttpRequest, mistake_id: int, action_id: int) -> dict[str, Any]:
    action = services.get_action(get_mistake(request.user, mistake_id), action_id)
    return action_record(services.remove(action, actor=request.user))


@router.post(
    "/mistakes/{mistake_id}/customer-care",
    response={201: CareOut},
    summary="Record what was done right now for the affected customers",
)
def add_care(request: HttpRequest, mistake_id: int, payload: CareIn) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    care = services.record_customer_care(
        mistake, actor=request.user, text=payload.text, at=payload.at
    )
    return Status(201, care_record(care))


@router.get(
    "/mistakes/{mistake_id}/support",
    response=list[SupportOut],
    summary="Support offered to the person who made the mistake (managers and reporter only)",
)
def list_support(request: HttpRequest, mistake_id: int) -> list[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    if not services.can_see_support(request.user, mistake):
        raise services.NotAllowed("support is private to the team's managers and the reporter")
    return [support_record(s) for s in services.support_steps(request.user, mistake)]


@router.post(
    "/mistakes/{mistake_id}/support",
    response={201: SupportOut},
    summary="Record support offered to the person who made the mistake (managers only)",
)
def add_support(
    request: HttpRequest, mistake_id: int, payload: SupportIn
) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    step = services.offer_support(mistake, actor=request.user, note=payload.note)
    return Status(201, support_record(step))
