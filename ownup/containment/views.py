"""Web adapters for containment: in-place (htmx) forms on the mistake's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from ownup.containment import services
from ownup.containment.forms import ActionForm, CareForm, SupportForm
from ownup.reporting import services as reporting
from ownup.reporting.inplace import answer, mistake_or_404, submit
from ownup.reporting.models import Mistake
from ownup.reporting.stages import StageError

SECTION_TEMPLATE = "containment/_section.html"


def _answer(
    request: HttpRequest, mistake: Mistake, problem: str = "", **forms_given: forms.Form
) -> HttpResponse:
    return answer(
        request,
        mistake,
        template=SECTION_TEMPLATE,
        anchor="containment",
        section_context=section_context,
        problem=problem,
        forms_given=forms_given,
    )


def section_context(
    request: HttpRequest, mistake: Mistake, **forms_given: forms.Form
) -> dict[str, Any]:
    actions = list(
        mistake.containment_actions.select_related(
            "mistake", "author", "approved_by", "taken_by", "removed_by"
        )
    )
    return {
        "clock": services.contain_clock(mistake),
        "actions": actions,
        "lingering": [a for a in actions if a.left_after_fix],
        "care": mistake.customer_care.select_related("by"),
        "escalations": mistake.escalations.all(),
        "private": services.can_see_support(request.user, mistake),
        "support": services.support_steps(request.user, mistake),
        "may_support": services.is_team_manager(request.user, mistake),
        "action_form": forms_given.get("action_form") or ActionForm(auto_id="contain-%s"),
        "care_form": forms_given.get("care_form") or CareForm(auto_id="care-%s"),
        "support_form": forms_given.get("support_form") or SupportForm(auto_id="support-%s"),
        "open_form": "action_form" in forms_given,
    }


@login_required
@require_POST
def add_action(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    return submit(
        request,
        mistake,
        ActionForm(request.POST, auto_id="contain-%s"),
        form_key="action_form",
        call=lambda data: services.record_action(mistake, actor=request.user, **data),
        respond=_answer,
        refused="Not recorded",
    )


STEPS = {"approve": services.approve, "take": services.take, "remove": services.remove}


@login_required
@require_POST
def step_action(request: HttpRequest, mistake_id: int, action_id: int, step: str) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    if step not in STEPS:
        raise Http404("no such step")
    try:
        action = services.get_action(mistake, action_id)
        STEPS[step](action, actor=request.user)
    except reporting.NotFound as error:
        raise Http404(str(error)) from None
    except (reporting.NotAllowed, StageError, reporting.InvalidInput) as error:
        return _answer(request, mistake, f"Not done: {error}.")
    return _answer(request, mistake)


@login_required
@require_POST
def add_care(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    return submit(
        request,
        mistake,
        CareForm(request.POST, auto_id="care-%s"),
        form_key="care_form",
        call=lambda data: services.record_customer_care(
            mistake, actor=request.user, text=data["text"]
        ),
        respond=_answer,
        refused="Not recorded",
    )


@login_required
@require_POST
def add_support(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    return submit(
        request,
        mistake,
        SupportForm(request.POST, auto_id="support-%s"),
        form_key="support_form",
        call=lambda data: services.offer_support(mistake, actor=request.user, note=data["note"]),
        respond=_answer,
        refused="Not recorded",
    )
