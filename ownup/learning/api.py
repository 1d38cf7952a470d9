"""API routes of the library: search, and the mistakes like a given one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ownup.learning import services
from ownup.reporting.models import Stage
from ownup.reporting.services import get_mistake

router = Router(tags=["Library"])


class SearchParams(Schema):
    q: str = Field("", description='Words to find; "a phrase", `or` between words, -word.')
    limit: int = Field(20, ge=1, le=services.MAX_RESULTS)


class SimilarParams(Schema):
    limit: int = Field(5, ge=1, le=20)


class HitOut(Schema):
    id: int
    url: str
    title: str
    stage: Stage
    reported_at: datetime
    score: float
    title_highlighted: str = Field(..., description="HTML: the title with <mark>ed words.")
    snippet: str = Field(..., description="HTML: the best passage with <mark>ed words.")
    outcomes: list[tuple[str, str]] = Field(..., description="What contained, fixed or taught.")


@router.get("/search", response=list[HitOut], summary="Search the mistakes you can see")
def search(request: HttpRequest, params: Query[SearchParams]) -> list[dict[str, Any]]:
    return [
        services.hit_record(h) for h in services.search(request.user, params.q, limit=params.limit)
    ]


@router.get(
    "/mistakes/{mistake_id}/similar", response=list[HitOut], summary="Mistakes like this one"
)
def similar(
    request: HttpRequest, mistake_id: int, params: Query[SimilarParams]
) -> list[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    hits = services.similar_to_mistake(request.user, mistake, limit=params.limit)
    return [services.hit_record(h) for h in hits]
