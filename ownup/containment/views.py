"""Web adapters for containment: in-place (htmx) forms on the mistake's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ownup.containment import services
from ownup.containment.forms import ActionForm, CareForm, SupportForm
from ownup.reporting import services as reporting
from ownup.reporting.models import Mistake
from ownup.reporting.stages import StageError

SECTION_TEMPLATE = "containment/_section.html"


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


def mistake_or_404(request: HttpRequest, mistake_id: int) -> Mistake:
    try:
        return reporting.get_mistake(request.user, mistake_id)
    except reporting.NotFound as error:
        raise Http404(str(error)) from None


def _answer(
    request: HttpRequest, mistake: Mistake, problem: str = "", **forms_given: forms.Form
) -> HttpResponse:
    """htmx gets the section back in place; a plain browser goes back to the page."""
    if request.headers.get("HX-Request"):
        if not problem and not forms_given:
            # Done: reload the page, so the next step and the timeline tell the new story too.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        context = {
            "mistake": mistake,
            "can_act": reporting.can_act(request.user, mistake),
            "section": section_context(request, mistake, **forms_given),
            "problem": problem,
        }
        return render(request, SECTION_TEMPLATE, context)
    if problem:
        messages.error(request, spelled_out(problem, forms_given))
    return redirect(mistake.get_absolute_url() + "#containment")


def spelled_out(problem: str, forms_given: dict[str, Any]) -> str:
    """Without htmx the form is not shown again, so the message names each problem."""
    for form in forms_given.values():
        if isinstance(form, forms.Form) and form.errors:
            details = "; ".join(
                f"{form.fields[name].label if name in form.fields else 'form'}: "
                + " ".join(str(e) for e in errs)
                for name, errs in form.errors.items()
            )
            return problem.replace("see the form.", details)
    return problem


def with_errors(form: forms.Form, error: reporting.InvalidInput) -> forms.Form:
    for field, problems in error.errors.items():
        form.add_error(field if field in form.fields else None, " ".join(problems))
    return form


@login_required
@require_POST
def add_action(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    form = ActionForm(request.POST, auto_id="contain-%s")
    if not form.is_valid():
        return _answer(request, mistake, "Not recorded: see the form.", action_form=form)
    try:
        services.record_action(mistake, actor=request.user, **form.cleaned_data)
    except reporting.InvalidInput as error:
        return _answer(
            request, mistake, "Not recorded: see the form.", action_form=with_errors(form, error)
        )
    except reporting.NotAllowed as error:
        return _answer(request, mistake, f"Not recorded: {error}.")
    return _answer(request, mistake)


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
    form = CareForm(request.POST, auto_id="care-%s")
    if not form.is_valid():
        return _answer(request, mistake, "Not recorded: say what was done.", care_form=form)
    try:
        services.record_customer_care(mistake, actor=request.user, text=form.cleaned_data["text"])
    except reporting.InvalidInput as error:
        return _answer(
            request, mistake, "Not recorded: see the form.", care_form=with_errors(form, error)
        )
    except reporting.NotAllowed as error:
        return _answer(request, mistake, f"Not recorded: {error}.")
    return _answer(request, mistake)


@login_required
@require_POST
def add_support(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    form = SupportForm(request.POST, auto_id="support-%s")
    if not form.is_valid():
        return _answer(request, mistake, "Not recorded: see the form.", support_form=form)
    try:
        services.offer_support(mistake, actor=request.user, note=form.cleaned_data["note"])
    except (reporting.InvalidInput, reporting.NotAllowed) as error:
        return _answer(request, mistake, f"Not recorded: {error}")
    return _answer(request, mistake)
