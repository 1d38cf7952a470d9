"""Web pages for the real fix: thin adapters over the fixes services."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ownup.decisions.services import current_decision
from ownup.fixes import services
from ownup.fixes.forms import ActionForm
from ownup.fixes.models import Action
from ownup.reporting.inplace import mistake_or_404, with_errors
from ownup.reporting.models import Mistake
from ownup.reporting.services import InvalidInput, NotAllowed, NotFound


def _back(mistake: Mistake) -> HttpResponse:
    return redirect(mistake.get_absolute_url() + "#fixes")


def _action_or_404(request: HttpRequest, action_id: int) -> Action:
    try:
        return services.get_action(request.user, action_id)
    except NotFound as error:
        raise Http404(str(error)) from None


@login_required
def add_action(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = mistake_or_404(request, mistake_id)
    owner = mistake.owner.get_username() if mistake.owner else None
    initial: dict[str, object] = {"owner": owner}
    chosen = current_decision(mistake)
    if chosen and not mistake.actions.filter(title__iexact=chosen.option.title).exists():
        # The fix chosen under Decided, as its first action: its words and its strength.
        initial |= {"title": chosen.option.title, "strength": chosen.option.strength}
    form = ActionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        data = {name: request.POST.get(name, "") for name in ActionForm.base_fields}
        try:
            action = services.add_action(mistake, data, actor=request.user)
        except InvalidInput as error:
            form.is_valid()  # the form's own messages first; the service adds what they miss
            with_errors(form, error, keep_form_errors=True)
        except NotAllowed as error:
            messages.error(request, f"Not added: {error}.")
            return _back(mistake)
        else:
            messages.success(request, f"Action added: {action.title}")
            if warning := services.strength_warning(mistake):
                messages.warning(request, warning)
            return _back(mistake)
    return render(request, "fixes/add.html", {"form": form, "mistake": mistake})


def _act(
    request: HttpRequest, action: Action, done: str, change: Callable[[], object]
) -> HttpResponse:
    # ``change`` is the service call, made here so every refusal becomes a message on the page.
    try:
        change()
    except InvalidInput as error:
        messages.error(request, f"Not saved: {error}")
    except NotAllowed as error:
        messages.error(request, f"Not allowed: {error}.")
    else:
        messages.success(request, done)
    return _back(action.mistake)


@login_required
@require_POST
def start_action(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _action_or_404(request, action_id)
    return _act(
        request, action, "Started.", lambda: services.start_action(action, actor=request.user)
    )


@login_required
@require_POST
def complete_action(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _action_or_404(request, action_id)
    evidence = request.POST.get("evidence", "")
    return _act(
        request,
        action,
        f"Done: {action.title}",
        lambda: services.complete_action(action, evidence, actor=request.user),
    )


@login_required
@require_POST
def verify_action(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _action_or_404(request, action_id)
    note = request.POST.get("note", "")
    return _act(
        request,
        action,
        f"Verified: {action.title}",
        lambda: services.verify_action(action, actor=request.user, note=note),
    )


@login_required
@require_POST
def cancel_action(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _action_or_404(request, action_id)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        action,
        f"Cancelled: {action.title}",
        lambda: services.cancel_action(action, reason, actor=request.user),
    )
