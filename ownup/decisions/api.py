"""API routes for options and decisions: thin adapters over the decision services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ownup.decisions import services
from ownup.decisions.models import SCORE_MAX, SCORE_MIN, WEIGHT_MAX, Strength
from ownup.decisions.records import (
    criterion_record,
    decision_record,
    decisions_record,
    options_record,
)
from ownup.reporting.services import get_mistake

router = Router(tags=["Decisions"])

SCORES_HELP = (
    f"Criterion key to a whole number from {SCORE_MIN} to {SCORE_MAX}. For criteria where lower "
    "is better (effort, risk, time, cost) give 1 for little effort, risk, time or cost."
)


class CriterionOut(Schema):
    key: str
    name: str
    description: str
    weight: int
    lower_is_better: bool


class WeightIn(Schema):
    weight: int = Field(..., description=f"0 to {WEIGHT_MAX}; 0 leaves it out of the ranking.")


class OptionIn(Schema):
    title: str = Field(..., description="The option in a few words; unique for this mistake.")
    strength: Strength = Field(
        ...,
        description="strong (forcing function, system change), medium (checklist, review) "
        "or weak (training, reminder, 'be more careful').",
    )
    description: str = ""
    scores: dict[str, Any] | None = Field(None, description=SCORES_HELP)


class ScoresIn(Schema):
    scores: dict[str, Any] = Field(..., description=SCORES_HELP)


class OptionOut(Schema):
    id: int
    rank: int
    title: str
    description: str
    strength: Strength
    scores: dict[str, int]
    total: float | None = Field(
        ..., description="0 (worst) to 100 (best): the weighted mean of the normalised scores."
    )
    scored: int = Field(..., description="On how many criteria it has been scored.")
    complete: bool
    author: str | None
    created_at: datetime


class DecisionIn(Schema):
    option_id: int = Field(..., description="The chosen option of this mistake.")
    rationale: str = Field(..., description="Why this option.")


class DecisionOut(Schema):
    id: int
    option_id: int
    option: str
    strength: Strength
    rationale: str
    decided_by: str | None
    decided_at: datetime


class DecisionsOut(Schema):
    mistake: int
    current: DecisionOut | None = Field(..., description="The latest choice.")
    history: list[DecisionOut] = Field(..., description="Every choice, oldest first.")
    warning: str | None = Field(..., description="Set when the chosen fix is only weak.")


@router.get("/criteria", response=list[CriterionOut], summary="The criteria options are scored on")
def list_criteria(request: HttpRequest) -> list[dict[str, Any]]:
    return [criterion_record(c) for c in services.criteria()]


@router.patch(
    "/criteria/{key}", response=CriterionOut, summary="Change a criterion's weight (admins)"
)
def set_weight(request: HttpRequest, key: str, payload: WeightIn) -> dict[str, Any]:
    return criterion_record(services.set_weight(key, payload.weight, actor=request.user))


@router.get(
    "/mistakes/{mistake_id}/options",
    response=list[OptionOut],
    summary="A mistake's options for the fix, ranked",
)
def list_options(request: HttpRequest, mistake_id: int) -> list[dict[str, Any]]:
    return options_record(get_mistake(request.user, mistake_id))


@router.post("/mistakes/{mistake_id}/options", response={201: OptionOut}, summary="Add an option")
def add_option(request: HttpRequest, mistake_id: int, payload: OptionIn) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    option = services.add_option(mistake, actor=request.user, **payload.model_dump())
    row = next(r for r in options_record(mistake) if r["id"] == option.pk)
    return Status(201, row)


@router.patch(
    "/mistakes/{mistake_id}/options/{option_id}/scores",
    response=OptionOut,
    summary="Score an option on some criteria (the others keep their scores)",
)
def score_option(
    request: HttpRequest, mistake_id: int, option_id: int, payload: ScoresIn
) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    option = services.get_option(mistake, option_id)
    services.score(option, payload.scores, actor=request.user)
    return next(r for r in options_record(mistake) if r["id"] == option.pk)


@router.get(
    "/mistakes/{mistake_id}/decision",
    response=DecisionsOut,
    summary="The chosen option and every earlier choice",
)
def show_decision(request: HttpRequest, mistake_id: int) -> dict[str, Any]:
    return decisions_record(get_mistake(request.user, mistake_id))


@router.post(
    "/mistakes/{mistake_id}/decision",
    response={201: DecisionOut},
    summary="Choose an option, with why (choosing again revisits the decision)",
)
def decide(request: HttpRequest, mistake_id: int, payload: DecisionIn) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    decision = services.decide(
        mistake, actor=request.user, option_id=payload.option_id, rationale=payload.rationale
    )
    return Status(201, decision_record(decision))
