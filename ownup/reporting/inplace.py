"""Forms in place on the mistake's page: htmx gets its section back, a plain browser the page.

Shared by the stage apps whose sections carry forms (containment, decisions, fixes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ownup.reporting import services as reporting
from ownup.reporting.models import Mistake, Stage

SectionContext = Callable[..., dict[str, Any]]


def mistake_or_404(request: HttpRequest, mistake_id: int) -> Mistake:
    try:
        return reporting.get_mistake(request.user, mistake_id)
    except reporting.NotFound as error:
        raise Http404(str(error)) from None


def answer(
    request: HttpRequest,
    mistake: Mistake,
    *,
    template: str,
    anchor: str,
    section_context: SectionContext,
    problem: str = "",
    refresh: bool = True,
    forms_given: dict[str, Any],
) -> HttpResponse:
    """After a form on a section: done reloads the page (the next step and the timeline change
    too); a problem shows the section again in place, with what was typed and where it is wrong.
    Without htmx, the browser goes back to the page, with the problem as a message."""
    if request.headers.get("HX-Request"):
        if refresh and not problem and not forms_given:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        context = {
            "mistake": mistake,
            "can_act": reporting.can_act(request.user, mistake),
            "section": section_context(request, mistake, **forms_given),
            "problem": problem,
        }
        return render(request, template, context)
    if problem:
        messages.error(request, spelled_out(problem, forms_given))
    # A closed mistake's page shows its forms only when asked: back to them, as they were.
    adding = "?add" if mistake.stage == Stage.CLOSED else ""
    return redirect(f"{mistake.get_absolute_url()}{adding}#{anchor}")


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


def with_errors(
    form: forms.Form, error: reporting.InvalidInput, *, keep_form_errors: bool = False
) -> forms.Form:
    """The service's problems at their fields; with ``keep_form_errors`` a field the form
    already refused keeps only the form's message."""
    for field, problems in error.errors.items():
        if keep_form_errors and field in form.errors:
            continue
        form.add_error(field if field in form.fields else None, " ".join(problems))
    return form


Respond = Callable[..., HttpResponse]


def submit(
    request: HttpRequest,
    mistake: Mistake,
    form: forms.Form,
    *,
    form_key: str,
    call: Callable[[dict[str, Any]], object],
    respond: Respond,
    refused: str,
    **done: Any,
) -> HttpResponse:
    """One form on a section: check it, hand its data to the service, answer with each problem
    at its field (or, for a refusal, as one sentence); ``done`` goes with the answer on success."""
    if not form.is_valid():
        return respond(request, mistake, f"{refused}: see the form.", **{form_key: form})
    try:
        call(form.cleaned_data)
    except reporting.InvalidInput as error:
        return respond(
            request, mistake, f"{refused}: see the form.", **{form_key: with_errors(form, error)}
        )
    except reporting.NotAllowed as error:
        return respond(request, mistake, f"{refused}: {error}.")
    return respond(request, mistake, **done)
