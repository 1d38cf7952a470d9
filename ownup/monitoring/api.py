"""API routes for effectiveness checks and closing: thin adapters over the monitoring services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ownup.monitoring import services, tasks
from ownup.monitoring.models import CheckKind
from ownup.monitoring.records import check_record, run_record
from ownup.reporting import services as reporting
from ownup.reporting.api import MistakeOut
from ownup.reporting.records import mistake_record

router = Router(tags=["Monitoring"])


class CheckIn(Schema):
    kind: CheckKind
    name: str = Field(..., description="The criterion in words.")
    baseline: str | None = None
    every: str | None = Field(None, description="An interval: 15m, 2h, 1d.")
    cron: str | None = Field(None, description="A cron schedule instead of an interval.")
    window_days: int | None = Field(None, description="Default: the organisation's (30).")
    failures_to_reopen: int | None = None
    url: str | None = None
    expected_status: int | None = None
    expect_text: str | None = None
    json_path: str | None = Field(None, description="A JSONPath such as $.status.")
    json_value: str | None = None
    metric: str | None = Field(
        None, description='A metric threshold\'s series of a /metrics page: errors{job="billing"}.'
    )
    timeout: float | None = Field(None, description="Seconds.")
    command: str | None = Field(None, description="Admins only.")
    exit_code: int | None = None
    database: str | None = Field(None, description="A name from OWNUP_CHECK_DATABASES.")
    query: str | None = Field(None, description="One read-only SELECT giving one value.")
    operator: str | None = Field(None, description="SQL or metric: = != < <= > >=")
    value: str | float | None = Field(None, description="SQL or metric: the value or threshold.")
    person: str | None = Field(None, description="Username a check-in asks.")
    question: str | None = None
    grace_hours: float | None = None
    threshold: float | None = Field(None, description="Text similarity, above 0 up to 1.")


class CheckOut(Schema):
    id: int
    mistake: int
    kind: CheckKind
    name: str
    baseline: str
    config: dict[str, Any]
    schedule: str
    interval_minutes: int | None
    cron: str
    window_days: int
    failures_to_reopen: int
    person: str | None
    active: bool
    window_started_at: datetime | None
    window_ends_at: datetime | None
    next_due_at: datetime | None
    window_passes: int
    window_failures: int
    consecutive_failures: int
    last_run_at: datetime | None
    last_outcome: str | None
    verdict: str


class RunOut(Schema):
    id: int
    slot: datetime
    started_at: datetime | None
    duration_ms: int | None
    outcome: str
    detail: str
    in_window: bool
    related_mistake: int | None


class CheckWithHistory(CheckOut):
    runs: list[RunOut]


class Queued(Schema):
    detail: str


class CloseIn(Schema):
    learned: str = Field(..., description="What we learned.")
    advice: str = Field(..., description="What others should do.")
    reason: str = Field("", description="Needed when not every check held for its window.")


class ClosedOut(MistakeOut):
    verified: bool
    thanked: list[str]


class LessonOut(Schema):
    learned: str
    advice: str
    tags: list[str]
    verified_effective: bool
    written_at: datetime


class EvaluationOut(Schema):
    overall: str
    verified: bool
    checks: list[CheckOut]


@router.get("/mistakes/{mistake_id}/checks", response=EvaluationOut, summary="A mistake's checks")
def list_checks(request: HttpRequest, mistake_id: int) -> dict[str, Any]:
    mistake = reporting.get_mistake(request.user, mistake_id)
    evaluation = services.evaluate(mistake)
    return {
        "overall": evaluation.overall,
        "verified": evaluation.verified,
        "checks": [check_record(c) for c, _ in evaluation.verdicts],
    }


@router.post(
    "/mistakes/{mistake_id}/checks",
    response={201: CheckOut},
    summary="Agree an effectiveness check",
)
def add_check(request: HttpRequest, mistake_id: int, payload: CheckIn) -> Status[dict[str, Any]]:
    mistake = reporting.get_mistake(request.user, mistake_id)
    data = payload.model_dump(exclude_none=True, mode="json")
    check = services.add_check(mistake, data, actor=request.user)
    return Status(201, check_record(check))


@router.get(
    "/mistakes/{mistake_id}/checks/{check_id}",
    response=CheckWithHistory,
    summary="A check with its history",
)
def show_check(request: HttpRequest, mistake_id: int, check_id: int) -> dict[str, Any]:
    mistake = reporting.get_mistake(request.user, mistake_id)
    check = services.get_check(request.user, mistake, check_id)
    runs = list(services.history(check))
    visible = services.visible_related(request.user, runs)
    return {**check_record(check), "runs": [run_record(r, visible) for r in runs]}


@router.delete(
    "/mistakes/{mistake_id}/checks/{check_id}", response={204: None}, summary="Remove a check"
)
def remove_check(request: HttpRequest, mistake_id: int, check_id: int) -> Status[None]:
    mistake = reporting.get_mistake(request.user, mistake_id)
    services.remove_check(services.get_check(request.user, mistake, check_id), actor=request.user)
    return Status(204, None)


@router.post(
    "/mistakes/{mistake_id}/checks/{check_id}/run",
    response={202: Queued},
    summary="Run a check now",
    description="The run is queued for the worker; its result appears in the check's history.",
)
def run_check(request: HttpRequest, mistake_id: int, check_id: int) -> Status[dict[str, Any]]:
    mistake = reporting.get_mistake(request.user, mistake_id)
    if not reporting.can_act(request.user, mistake):
        raise reporting.NotAllowed(
            "only the mistake's people, its team's responders and admins may run its checks"
        )
    check = services.get_check(request.user, mistake, check_id)
    tasks.run_check_now(check.pk)
    return Status(202, {"detail": f"check #{check.pk} is queued to run now"})


@router.post(
    "/mistakes/{mistake_id}/close",
    response=ClosedOut,
    summary="Close a mistake with its lesson",
    description="Verified when every check held for its window; otherwise a reason is needed.",
)
def close(request: HttpRequest, mistake_id: int, payload: CloseIn) -> dict[str, Any]:
    mistake = reporting.get_mistake(request.user, mistake_id)
    closure = services.close(mistake, payload.model_dump(), actor=request.user)
    mistake.refresh_from_db()
    return {
        **mistake_record(mistake),
        "verified": closure.verified,
        "thanked": closure.thanked,
    }


@router.get("/mistakes/{mistake_id}/lesson", response=LessonOut, summary="A mistake's lesson")
def lesson(request: HttpRequest, mistake_id: int) -> Any:
    mistake = reporting.get_mistake(request.user, mistake_id)
    found = services.lesson_of(mistake)
    if found is None:
        raise reporting.NotFound(f"mistake #{mistake.pk} has no lesson yet")
    return found
