"""The dashboard page: a thin adapter over the figures in stats.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ownup.insights import stats
from ownup.organisation.models import Team
from ownup.reporting.services import InvalidInput

PERIODS = [(3, "Last 3 months"), (6, "Last 6 months"), (12, "Last 12 months"), (24, "Last 2 years")]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    given: dict[str, Any] = {
        "months": request.GET.get("months") or 12,
        "start": request.GET.get("start") or None,
        "end": request.GET.get("end") or None,
        "bucket": request.GET.get("bucket") or "month",
        "team": request.GET.get("team") or "",
    }
    errors: dict[str, list[str]] = {}
    try:
        filters = stats.filters_from(**given)
    except InvalidInput as invalid:
        errors = invalid.errors
        filters = stats.filters_from()
    figures = stats.compute(request.user, filters)
    return render(
        request,
        "insights/dashboard.html",
        {
            "stats": figures,
            "data": figures.as_dict(),
            "given": given,
            "errors": errors,
            "periods": PERIODS,
            "teams": Team.objects.all(),
            "team_name": Team.objects.filter(slug=filters.team).first(),
        },
    )
