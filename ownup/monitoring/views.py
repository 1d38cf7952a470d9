"""Web pages for monitoring and closing: thin adapters over the monitoring services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ownup.monitoring import charts, services, tasks
from ownup.monitoring.forms import CheckForm, LessonForm, labelled_config
from ownup.monitoring.models import CheckKind
from ownup.reporting import services as reporting
from ownup.reporting import stages
from ownup.reporting.inplace import with_errors
from ownup.reporting.models import Mistake


def _mistake_or_404(request: HttpRequest, mistake_id: int) -> Mistake:
    try:
        return reporting.get_mistake(request.user, mistake_id)
    except reporting.NotFound as error:
        raise Http404(str(error)) from None


def _section(mistake: Mistake) -> str:
    return reverse("reporting:detail", args=[mistake.pk]) + "#monitoring"


@login_required
def add_check(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    form = CheckForm(request.POST or None, initial={"kind": request.GET.get("kind", "http")})
    if request.method == "POST":
        data = {k: v for k, v in request.POST.items() if k in CheckForm.base_fields and v != ""}
        try:
            services.add_check(mistake, data, actor=request.user)
        except reporting.InvalidInput as error:
            form.is_valid()  # the form's own messages first; the service adds what they miss
            with_errors(form, error, keep_form_errors=True)
        except reporting.NotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Check added.")
            return redirect(_section(mistake))
    asking = form["kind"].value() == CheckKind.CHECKIN
    if asking:
        # Suggested as the person is typed; anyone else who may see the mistake can be named.
        form.fields["person"].widget.attrs["list"] = "people-to-ask"
    return render(
        request,
        "monitoring/add_check.html",
        {
            "mistake": mistake,
            "form": form,
            "is_admin": getattr(request.user, "is_superuser", False),
            "people_to_ask": services.people_to_ask(mistake) if asking else [],
        },
    )


@login_required
def check_detail(request: HttpRequest, mistake_id: int, check_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    try:
        check = services.get_check(request.user, mistake, check_id)
    except reporting.NotFound as error:
        raise Http404(str(error)) from None
    runs = list(services.history(check))
    return render(
        request,
        "monitoring/check_detail.html",
        {
            "mistake": mistake,
            "check": check,
            "verdict": check.verdict(),
            "settings": labelled_config(check.config, check.kind),
            "runs": runs,
            "visible_related": services.visible_related(request.user, runs),
            "chart": charts.sparkline(services.runs_for_chart(check, 120), check.name),
            "can_act": reporting.can_act(request.user, mistake),
        },
    )


@login_required
@require_POST
def run_check(request: HttpRequest, mistake_id: int, check_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    if not reporting.can_act(request.user, mistake):
        messages.error(request, "Only the mistake's people, its responders and admins may run it.")
        return redirect(_section(mistake))
    try:
        check = services.get_check(request.user, mistake, check_id)
    except reporting.NotFound as error:
        raise Http404(str(error)) from None
    tasks.run_check_now(check.pk)
    messages.success(request, f"'{check.name}' will run in a moment; its result appears below.")
    return redirect(_section(mistake))


@login_required
@require_POST
def remove_check(request: HttpRequest, mistake_id: int, check_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    try:
        services.remove_check(
            services.get_check(request.user, mistake, check_id), actor=request.user
        )
    except reporting.NotFound as error:
        raise Http404(str(error)) from None
    except reporting.NotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Check removed.")
    return redirect(_section(mistake))


@login_required
@require_POST
def close(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    data = {k: request.POST.get(k, "") for k in LessonForm.base_fields}
    try:
        closure = services.close(mistake, data, actor=request.user)
    except reporting.InvalidInput as error:
        # The lesson as typed, with each problem at its field: a page of its own, so nothing
        # written is lost, with or without htmx.
        form = LessonForm(request.POST)
        form.is_valid()
        with_errors(form, error, keep_form_errors=True)
        return render(request, "monitoring/close.html", {"mistake": mistake, "form": form})
    except (reporting.NotAllowed, stages.StageError) as error:
        messages.error(request, f"Not closed: {error}.")
        return redirect(_section(mistake))
    verified = "verified effective" if closure.verified else "with a reason"
    messages.success(request, f"Closed, {verified}. The lesson is in the library. Thank you.")
    return redirect(mistake)


@login_required
@require_POST
def write_lesson(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    try:
        services.write_lesson(mistake, request.POST.dict(), actor=request.user)
    except (reporting.InvalidInput, reporting.NotAllowed) as error:
        messages.error(request, f"Not saved: {error}")
    else:
        messages.success(request, "Lesson saved. Names of people are left out of it.")
    return redirect(_section(mistake))


@login_required
@require_POST
def answer_here(request: HttpRequest, mistake_id: int, run_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    waiting = {r.pk: r for r in services.waiting_checkins(request.user, mistake)}
    if run_id not in waiting:
        messages.error(request, "This check-in is not waiting for your answer.")
        return redirect(_section(mistake))
    try:
        services.answer_checkin(
            waiting[run_id], request.POST.get("answer", ""), comment=request.POST.get("comment", "")
        )
    except reporting.InvalidInput as error:
        messages.error(request, f"Not recorded: {error}")
    else:
        messages.success(request, "Thank you: your answer is recorded.")
    return redirect(_section(mistake))


def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The page a check-in email links to: the signed link is the proof of who asks; the answer
    is recorded on a button press, so a mail scanner following the link answers nothing."""
    try:
        run, answer = services.read_checkin_token(token)
    except reporting.NotFound as error:
        return render(request, "monitoring/checkin.html", {"problem": str(error)}, status=404)
    done = None
    problem = None
    if request.method == "POST":
        try:
            run = services.answer_checkin(
                run, request.POST.get("answer", answer), comment=request.POST.get("comment", "")
            )
            done = run.detail
        except reporting.InvalidInput as error:
            problem = " ".join(" ".join(m) for m in error.errors.values())
    elif run.outcome != "waiting":
        problem = "This check-in is already answered or expired. Thank you all the same."
    return render(
        request,
        "monitoring/checkin.html",
        {"run": run, "answer": answer, "done": done, "problem": problem, "check": run.check_ref},
    )
