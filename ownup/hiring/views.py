"""The hiring kit's pages, for the hiring team only; anyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from ownup.hiring import services
from ownup.hiring.models import Candour, Topic
from ownup.reporting.services import InvalidInput, NotFound


def hiring_team_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.require_hiring_team(request.user)
            return view(request, *args, **kwargs)
        except NotFound as missing:
            raise Http404(str(missing)) from None

    return login_required(guarded)


def _guide(request: HttpRequest) -> dict[str, Any]:
    chosen = list(services.questions())
    return {
        "topics": [(topic, [q for q in chosen if q.topic == topic]) for topic in Topic],
        "from_lessons": services.questions_from_lessons(request.user),
        "rubric": list(Candour),
    }


@hiring_team_only
def kit(request: HttpRequest) -> HttpResponse:
    form = services.ScorecardForm(
        request.POST or None, initial={"interviewed_on": timezone.now().date()}
    )
    if request.method == "POST":
        try:
            scorecard = services.record_scorecard(request.user, request.POST.dict())  # type: ignore[arg-type]
        except InvalidInput:
            form.is_valid()
        else:
            return redirect(scorecard)
    return render(
        request,
        "hiring/kit.html",
        {**_guide(request), "form": form, "scorecards": services.scorecards(request.user)},
    )


@hiring_team_only
def scorecard(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    return render(
        request,
        "hiring/scorecard.html",
        {"scorecard": services.get_scorecard(request.user, scorecard_id)},
    )


@hiring_team_only
def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "hiring/guide.html", _guide(request))


@hiring_team_only
def guide_pdf(request: HttpRequest) -> HttpResponse:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    context = {**_guide(request), "printing": True}
    html = render_to_string("hiring/guide.html", context, request=request)
    # The stylesheet is read from disk: fetching it over HTTP from inside a request could wait
    # on the very server that is busy answering this one.
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find("ownup.css"))])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="interview-guide.pdf"'
    return response
