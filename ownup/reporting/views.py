"""Web pages for reporting and reading mistakes: thin adapters over the services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ownup.organisation.models import Organisation, Severity, Team
from ownup.reporting import inbound, services, stages, waiting
from ownup.reporting.forms import MistakeForm, NoteForm, initial_data
from ownup.reporting.inplace import with_errors
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.sections import sections_for

PAGE_SIZE = 50
WAITING_SHOWN = 5  # the rest folded away, so the list stays the page's first sight


def _mistake_or_404(request: HttpRequest, mistake_id: int) -> Mistake:
    try:
        return services.get_mistake(request.user, mistake_id)
    except services.NotFound as error:
        raise Http404(str(error)) from None


@login_required
def mistake_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "stage": request.GET.get("stage", ""),
        "severity": request.GET.get("severity", ""),
        "team": request.GET.get("team", ""),
        "owner": "me" if request.GET.get("owner") == "me" else "",
        "q": request.GET.get("q", "").strip(),
    }

    def listed() -> Any:
        return services.listed(
            request.user,
            stage=filters["stage"] if filters["stage"] in Stage.values else "",
            severity=filters["severity"],
            team=filters["team"],
            mine=bool(filters["owner"]),
            words=filters["q"],
        )

    try:
        mistakes = listed()
    except services.InvalidInput:  # a team in an old link, since renamed or removed
        messages.error(request, f"No team {filters['team']!r}: showing every team.")
        filters["team"] = ""
        mistakes = listed()
    page = Paginator(mistakes, PAGE_SIZE).get_page(request.GET.get("page"))
    narrowed = any(filters.values())
    assert isinstance(request.user, User)  # login_required
    waiting_for_you = waiting.everything_for(request.user)
    return render(
        request,
        "reporting/list.html",
        {
            "waiting": waiting_for_you[:WAITING_SHOWN],
            "waiting_more": waiting_for_you[WAITING_SHOWN:],
            "waiting_count": len(waiting_for_you),
            "page": page,
            "filters": filters,
            # Counted only while a filter narrows the list: a second count of every mistake.
            "visible_count": services.visible_mistakes(request.user).count() if narrowed else None,
            "stages": Stage,
            "severities": Severity.objects.all(),
            "teams": Team.objects.all(),
        },
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    form = MistakeForm(request.POST or None)
    if request.method == "POST":
        try:
            mistake = services.report(_form_data(request), reporter=request.user)
        except services.InvalidInput:
            pass  # the bound form runs the same validator and shows each problem at its field
        else:
            return redirect("reporting:receipt", mistake_id=mistake.pk)
    return render(
        request,
        "reporting/report.html",
        {"form": form, "policy": Organisation.current().reporting_policy},
    )


def _form_data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: request.POST.get(name) for name in MistakeForm.base_fields if name in request.POST
    }
    data["restricted_to"] = request.POST.getlist("restricted_to")
    return data


@login_required
def receipt(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    return render(
        request,
        "reporting/receipt.html",
        {"mistake": mistake, "disclosure": services.disclosure(mistake)},
    )


@login_required
def detail(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    following = stages.next_stage(mistake.stage_enum)
    may_act = services.can_act(request.user, mistake)
    # A closed mistake reads as its story: the forms of every stage come back on asking
    # ("Add to the record"), so a late finding or lesson can still be written down.
    adding = mistake.stage_enum is not Stage.CLOSED or "add" in request.GET
    return render(
        request,
        "reporting/detail.html",
        {
            "mistake": mistake,
            "stages": list(Stage),
            "next_stage": following,
            "next_step": stages.NEXT_STEP[mistake.stage_enum],
            "unmet": stages.unmet_requirements(mistake, following) if following else [],
            "can_act": may_act and adding,
            "may_add": may_act and not adding,
            "may_move": may_act,
            "timeline": mistake.timeline.select_related("actor"),
            "sections": sections_for(request, mistake),
            "disclosure": services.disclosure(mistake),
        },
    )


@login_required
def edit(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    try:
        services.ensure_can_act(request.user, mistake, "edit it")
    except services.NotAllowed as refusal:
        messages.error(request, f"Not allowed: {refusal}.")
        return redirect(mistake)
    form = MistakeForm(request.POST or None, initial=initial_data(mistake))
    if request.method == "POST":
        try:
            services.update(mistake, _form_data(request), actor=request.user)
        except services.InvalidInput as error:
            form.is_valid()  # the form's own messages first; the service adds what they miss
            with_errors(form, error, keep_form_errors=True)
        else:
            messages.success(request, "Saved.")
            return redirect(mistake)
    return render(request, "reporting/edit.html", {"form": form, "mistake": mistake})


@login_required
@require_POST
def move_stage(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    try:
        services.move(
            mistake,
            request.POST.get("stage", ""),
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except (services.NotAllowed, stages.StageError) as error:
        messages.error(request, f"Not moved: {error}.")
    else:
        messages.success(request, "Moved.")
    return redirect(mistake)


@login_required
def add_note(request: HttpRequest, mistake_id: int) -> HttpResponse:
    """A timeline entry from the mistake's page; refused, its own page shows what was typed
    with each problem at its field."""
    mistake = _mistake_or_404(request, mistake_id)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_note(
                mistake, form.cleaned_data["text"], actor=request.user, at=form.cleaned_data["at"]
            )
        except services.InvalidInput as error:
            with_errors(form, error)
        except services.NotAllowed as error:
            messages.error(request, f"Not added: {error}.")
            return redirect(mistake)
        else:
            return redirect(f"{mistake.get_absolute_url()}#timeline")
    return render(request, "reporting/note.html", {"form": form, "mistake": mistake})


@csrf_exempt  # Slack signs the request instead; the signature is checked first
@require_POST
def slack_command(request: HttpRequest) -> HttpResponse:
    """Slack's slash command ``/ownup report ...``, answered to the person who typed it alone."""
    if not settings.SLACK_SIGNING_SECRET:
        return JsonResponse(
            {"detail": "Slack is not set up here: set OWNUP_SLACK_SIGNING_SECRET."}, status=404
        )
    signed = inbound.slack_signature_holds(
        settings.SLACK_SIGNING_SECRET,
        request.headers.get("X-Slack-Request-Timestamp", ""),
        request.body,
        request.headers.get("X-Slack-Signature", ""),
    )
    if not signed:
        return JsonResponse(
            {"detail": "The request is not signed by Slack, or was signed too long ago."},
            status=401,
        )
    ask, verb = inbound.slack_ask(
        request.POST.get("text", ""),
        workspace=request.POST.get("team_id", ""),
        slack_user=request.POST.get("user_id", ""),
        slack_name=request.POST.get("user_name", ""),
    )
    text = inbound.slack_command(ask, verb)
    return JsonResponse({"response_type": "ephemeral", "text": text})


@login_required
def slack_connect(request: HttpRequest, token: str) -> HttpResponse:
    """The link ``/ownup`` gives: the person, logged in, connects their Slack account (and the
    report they typed is made)."""
    try:
        ask = inbound.asked_in(token)
    except inbound.LinkRefused as refused:
        return render(request, "reporting/slack_connect.html", {"problem": refused}, status=400)
    if request.method == "POST":
        try:
            done = inbound.connect_and_report(request.user, ask)
        except services.InvalidInput as refused:
            # Nothing was connected nor reported: the whole step was refused together.
            problem = " ".join(m for messages_ in refused.errors.values() for m in messages_)
            context = {"ask": ask, "refused": problem}
            return render(request, "reporting/slack_connect.html", context, status=400)
        if done.again:
            messages.info(request, "This link was followed already: nothing more to do.")
        else:
            messages.success(request, f"Your Slack account @{ask.slack_name} is connected.")
        if done.mistake and services.can_see(request.user, done.mistake):
            return redirect("reporting:receipt", done.mistake.pk)
        return redirect("reporting:list")
    return render(request, "reporting/slack_connect.html", {"ask": ask})
