"""The library's pages: search, recurring patterns, and the similar-mistakes partials."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ownup.learning import services
from ownup.reporting.models import Mistake
from ownup.reporting.services import InvalidInput

LIVE_MIN_CHARS = 4


@login_required
def library(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    hits: list[services.Hit] = []
    problem = ""
    if text:
        try:
            hits = services.search(request.user, text, limit=50)
        except InvalidInput as error:
            problem = " ".join(error.errors.get("q", [str(error)]))
    return render(
        request,
        "learning/library.html",
        {
            "q": text,
            "hits": hits,
            "problem": problem,
            "patterns": [] if text else services.patterns(request.user),
            "lessons": [] if text else services.latest_lessons(request.user),
        },
    )


@login_required
def similar_live(request: HttpRequest) -> HttpResponse:
    """What was reported before that looks like the title being typed (htmx partial)."""
    text = request.GET.get("title", "").strip()
    hits = services.similar_to_text(request.user, text) if len(text) >= LIVE_MIN_CHARS else []
    return render(request, "learning/_similar_live.html", {"hits": hits, "typed": text})


def similar_section(request: HttpRequest, mistake: Mistake) -> dict[str, Any]:
    return {"hits": services.similar_to_mistake(request.user, mistake)}
