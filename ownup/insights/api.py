"""GET /api/v1/stats: the dashboard's figures, from the same service as the page and the CLI."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ownup.insights import stats

router = Router(tags=["Insights"])


class StatsFilters(Schema):
    team: str | None = Field(None, description="Only this team (slug).")
    months: int = Field(12, ge=1, le=120, description="The last N months, this one included.")
    start: date | None = Field(None, description="First day of the period (overrides months).")
    end: date | None = Field(None, description="Last day of the period; today when left out.")
    bucket: Literal["week", "month"] = "month"


class FigureOut(Schema):
    label: str
    unit: str
    value: float | None
    series: list[float | None]
    definition: str
    better: str


class CountsOut(Schema):
    label: str
    totals: dict[str, int]
    series: dict[str, list[int]]


class StatsOut(Schema):
    filters: dict[str, Any]
    buckets: list[str] = Field(..., description="First day (UTC) of each week or month.")
    reported: int
    figures: dict[str, FigureOut]
    counts: dict[str, CountsOut]
    overdue_actions: int | None = Field(
        ..., description="Open actions past their due date; null until the fixes app counts them."
    )


@router.get(
    "/stats",
    response=StatsOut,
    summary="The dashboard's figures",
    description="Only the mistakes you may see count. Definitions: docs/insights.md.",
)
def get_stats(request: HttpRequest, filters: Query[StatsFilters]) -> dict[str, Any]:
    chosen = stats.filters_from(
        months=filters.months,
        start=filters.start,
        end=filters.end,
        bucket=filters.bucket,
        team=filters.team,
    )
    return stats.compute(request.user, chosen).as_dict()
