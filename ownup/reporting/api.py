"""API routes for mistakes: thin adapters over the reporting services and the stage machine."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ownup.reporting import inbound, services, waiting
from ownup.reporting.models import (
    TITLE_MAX_LENGTH,
    Confidentiality,
    DiscoveredBy,
    Harm,
    Stage,
    TimelineEntry,
)
from ownup.reporting.records import mistake_record

router = Router(tags=["Mistakes"])

MAX_OFFSET = 1_000_000_000


class MistakeIn(Schema):
    title: str = Field(
        ..., max_length=TITLE_MAX_LENGTH, description="What went wrong, in one sentence."
    )
    description: str | None = Field(None, description="What happened, in more words.")
    occurred_at: datetime | None = None
    noticed_at: datetime | None = None
    discovered_by: DiscoveredBy | None = None
    harm: Harm | None = None
    severity: str | None = Field(None, description="A name from the severity scale.")
    team: str | None = Field(None, description="The team's slug.")
    owner: str | None = Field(None, description="A username.")
    confidentiality: Confidentiality | None = None
    restricted_to: list[str] | None = Field(None, description="Usernames, for a restricted one.")
    tags: list[str] | None = None


class MistakeChange(Schema):
    title: str | None = Field(None, max_length=TITLE_MAX_LENGTH)
    description: str | None = None
    occurred_at: datetime | None = None
    noticed_at: datetime | None = None
    discovered_by: DiscoveredBy | None = None
    harm: Harm | None = None
    severity: str | None = None
    team: str | None = None
    owner: str | None = None
    confidentiality: Confidentiality | None = None
    restricted_to: list[str] | None = None
    tags: list[str] | None = None


class DisclosureOut(Schema):
    minutes_to_report: int | None
    self_disclosed: bool


class MistakeOut(Schema):
    id: int
    url: str
    title: str
    description: str
    occurred_at: datetime | None
    noticed_at: datetime | None
    reported_at: datetime
    discovered_by: DiscoveredBy
    harm: str
    severity: str
    team: str | None
    owner: str | None
    reporter: str | None
    confidentiality: Confidentiality
    restricted_to: list[str]
    tags: list[str]
    stage: Stage
    next_step: str
    contained_at: datetime | None
    fixed_at: datetime | None
    closed_at: datetime | None
    disclosure: DisclosureOut


class MoveIn(Schema):
    stage: Stage = Field(..., description="The stage to move to; back means reopen.")
    reason: str = Field("", description="Needed to skip a stage, to skip unmet needs, to reopen.")


class NoteIn(Schema):
    text: str = Field(..., min_length=1)
    at: datetime | None = Field(None, description="When it happened; now when left out.")


class TimelineOut(Schema):
    at: datetime
    kind: str
    text: str
    actor: str | None
    changes: dict[str, Any]


class ListFilters(Schema):
    stage: Stage | None = None
    severity: str | None = None
    team: str | None = None
    mine: bool = Field(False, description="Only the mistakes you own.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _given(payload: Schema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True, mode="python")


class MistakePage(Schema):
    count: int
    items: list[MistakeOut]


@router.get("/mistakes", response=MistakePage, summary="List the mistakes you can see")
def list_mistakes(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    mistakes = services.listed(
        request.user,
        stage=filters.stage or "",
        severity=filters.severity or "",
        team=filters.team or "",
        mine=filters.mine,
    ).prefetch_related("tags", "restricted_to")
    page = mistakes[filters.offset : filters.offset + filters.limit]
    return {"count": mistakes.count(), "items": [mistake_record(m) for m in page]}


@router.post("/mistakes", response={201: MistakeOut}, summary="Report a mistake")
def report(request: HttpRequest, payload: MistakeIn) -> Status[dict[str, Any]]:
    mistake = services.report(_given(payload), reporter=request.user)
    return Status(201, mistake_record(mistake))


class WaitingOut(Schema):
    what: str = Field(description="What you are asked to do, in words.")
    mistake: int
    title: str = Field(description="The mistake's title.")
    url: str = Field(description="Where on the mistake's page it is done.")
    due: date | None
    late: bool


@router.get(
    "/waiting",
    response=list[WaitingOut],
    summary="What is waiting for you: actions, containments, check-ins, messages; late first",
)
def waiting_for_you(request: HttpRequest) -> list[dict[str, Any]]:
    assert isinstance(request.user, User)  # the API lets only people with a token in
    return [item.record() for item in waiting.everything_for(request.user)]


@router.get("/mistakes/{mistake_id}", response=MistakeOut, summary="One mistake")
def show(request: HttpRequest, mistake_id: int) -> dict[str, Any]:
    return mistake_record(services.get_mistake(request.user, mistake_id))


@router.patch("/mistakes/{mistake_id}", response=MistakeOut, summary="Change a mistake's record")
def change(request: HttpRequest, mistake_id: int, payload: MistakeChange) -> dict[str, Any]:
    mistake = services.get_mistake(request.user, mistake_id)
    return mistake_record(services.update(mistake, _given(payload), actor=request.user))


@router.post(
    "/mistakes/{mistake_id}/stage",
    response=MistakeOut,
    summary="Move a mistake to another stage",
    description="Forward to advance or skip (a skip needs a reason); back to reopen (needs one).",
)
def move(request: HttpRequest, mistake_id: int, payload: MoveIn) -> dict[str, Any]:
    mistake = services.get_mistake(request.user, mistake_id)
    moved = services.move(mistake, payload.stage, actor=request.user, reason=payload.reason)
    return mistake_record(moved)


@router.get(
    "/mistakes/{mistake_id}/timeline", response=list[TimelineOut], summary="A mistake's timeline"
)
def timeline(request: HttpRequest, mistake_id: int) -> list[dict[str, Any]]:
    mistake = services.get_mistake(request.user, mistake_id)
    return [_timeline_entry(e) for e in mistake.timeline.select_related("actor")]


@router.post(
    "/mistakes/{mistake_id}/timeline",
    response={201: TimelineOut},
    summary="Add an entry to a mistake's timeline",
)
def add_note(request: HttpRequest, mistake_id: int, payload: NoteIn) -> Status[dict[str, Any]]:
    mistake = services.get_mistake(request.user, mistake_id)
    entry = services.add_note(mistake, payload.text, actor=request.user, at=payload.at)
    return Status(201, _timeline_entry(entry))


def _timeline_entry(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "kind": entry.kind,
        "text": entry.text,
        "actor": entry.actor.get_username() if entry.actor else None,
        "changes": entry.changes,
    }


class AlertsIn(Schema):
    """Either shape. The fields are typed loosely on purpose: ``inbound.alerts_from`` reads them
    and says in its own words what is wrong with one."""

    alerts: Any = Field(None, description="Alertmanager's alerts, each with labels, annotations.")
    title: Any = Field(None, description="A plain alert: what went wrong, in one sentence.")
    key: Any = Field(None, description="What tells one alert from another (default: its title).")
    description: Any = None
    status: Any = Field(None, description="firing (the default) or resolved.")
    started_at: Any = None
    severity: Any = Field(None, description="A name from the severity scale; others are kept.")
    team: Any = Field(None, description="A team's slug; others are kept.")
    tags: Any = None


class ReceivedOut(Schema):
    key: str = Field(..., description="The alert's fingerprint, by which it is not reported twice.")
    mistake_id: int | None
    url: str | None
    created: bool = Field(..., description="A new report; false: the open one was told of it.")


@router.post(
    "/alerts",
    response=list[ReceivedOut],
    summary="Report alerts from monitoring",
    description=(
        "Prometheus Alertmanager's webhook body (Grafana's alerting sends the same), or one plain "
        'alert: {"title": "...", "key": "...", "description": "...", "severity": "...", '
        '"team": "...", "tags": [...], "status": "firing" or "resolved"}. An alert whose '
        "mistake is still open is added to its timeline, not reported again."
    ),
)
def alerts(request: HttpRequest, payload: AlertsIn) -> list[dict[str, Any]]:
    given = payload.model_dump(exclude_unset=True)
    received = inbound.receive(inbound.alerts_from(given), reporter=request.user)
    return [
        {
            "key": r.alert.key,
            "mistake_id": r.mistake.pk if r.mistake else None,
            "url": inbound.url_of(r.mistake) if r.mistake else None,
            "created": r.created,
        }
        for r in received
    ]
