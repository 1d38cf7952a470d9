"""Web adapters for options and decisions: in-place (htmx) forms on the mistake's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from ownup.decisions import services
from ownup.decisions.forms import DecisionForm, OptionForm
from ownup.decisions.models import SCORE_MAX, SCORE_MIN
from ownup.reporting import services as reporting
from ownup.reporting.inplace import answer, mistake_or_404, submit
from ownup.reporting.models import Mistake, Stage

SECTION_TEMPLATE = "decisions/_section.html"


def _answer(
    request: HttpRequest,
    mistake: Mistake,
    problem: str = "",
    *,
    refresh: bool = False,
    **forms_given: Any,
) -> HttpResponse:
    # Options and scores change only this section; a choice changes the next step too.
    return answer(
        request,
        mistake,
        template=SECTION_TEMPLATE,
        anchor="decision",
        section_context=section_context,
        problem=problem,
        refresh=refresh,
        forms_given=forms_given,
    )


def _decision_form(mistake: Mistake, data: Any = None) -> DecisionForm:
    rows = services.ranking(mistake)
    choices: list[tuple[int | str, str]] = [
        (
            row.option.pk,
            f"{row.rank}. {row.option.title}" if row.total is not None else row.option.title,
        )
        for row in rows
    ]
    # Offered first: the current choice when revisiting, else the best-ranked option once the
    # scores ranked it; with none scored, the person picks.
    current = services.current_decision(mistake)
    scored_first = rows[0].option.pk if rows and rows[0].total is not None else None
    suggested = current.option_id if current else scored_first
    if suggested is None:
        choices.insert(0, ("", "Choose an option"))
    return DecisionForm(data, options=choices, initial={"option": suggested}, auto_id="decide-%s")


def section_context(
    request: HttpRequest, mistake: Mistake, **forms_given: forms.Form
) -> dict[str, Any]:
    rows = services.ranking(mistake)
    current = services.current_decision(mistake)
    return {
        "criteria": list(services.criteria()),
        "ranking": rows,
        "score_range": range(SCORE_MIN, SCORE_MAX + 1),
        "current": current,
        "history": list(services.history(mistake))[:-1][::-1],
        "warning": services.strength_warning(mistake),
        "all_weak": bool(rows) and all(r.option.strength == "weak" for r in rows),
        "stronger": services.stronger_options(rows, current),
        "moved_on": mistake.has_reached(Stage.DECIDED),
        "option_form": forms_given.get("option_form") or OptionForm(auto_id="option-%s"),
        "decision_form": forms_given.get("decision_form") or _decision_form(mistake),
        "score_errors": forms_given.get("score_errors"),
    }


@login_required
@require_POST
def add_option(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    return submit(
        request,
        mistake,
        OptionForm(request.POST, auto_id="option-%s"),
        form_key="option_form",
        call=lambda data: services.add_option(mistake, actor=request.user, **data),
        respond=_answer,
        refused="Not added",
    )


@login_required
@require_POST
def score_option(request: HttpRequest, mistake_id: int, option_id: int) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    keys = [c.key for c in services.criteria()]
    given = {k: request.POST[k] for k in keys if request.POST.get(k)}
    try:
        option = services.get_option(mistake, option_id)
        services.score(option, given, actor=request.user)
    except reporting.NotFound as error:
        raise Http404(str(error)) from None
    except reporting.InvalidInput as error:
        return _answer(request, mistake, f"Not scored: {error}", score_errors=option_id)
    except reporting.NotAllowed as error:
        return _answer(request, mistake, f"Not scored: {error}.")
    return _answer(request, mistake)


@login_required
@require_POST
def decide(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    return submit(
        request,
        mistake,
        _decision_form(mistake, request.POST),
        form_key="decision_form",
        call=lambda data: services.decide(
            mistake, actor=request.user, option_id=data["option"], rationale=data["rationale"]
        ),
        respond=_answer,
        refused="Not chosen",
        refresh=True,
    )
