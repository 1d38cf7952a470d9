"""Web pages for telling everyone involved, acknowledging, and the postmortem download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ownup import postmortem
from ownup.communication import language, services
from ownup.communication.forms import TellForm
from ownup.reporting.inplace import with_errors
from ownup.reporting.models import Mistake
from ownup.reporting.services import InvalidInput, NotAllowed, NotFound, can_act, get_mistake


def _mistake_or_404(request: HttpRequest, mistake_id: int) -> Mistake:
    try:
        return get_mistake(request.user, mistake_id)
    except NotFound as error:
        raise Http404(str(error)) from None


def _back(mistake: Mistake) -> HttpResponse:
    return redirect(mistake.get_absolute_url() + "#communication")


@login_required
def tell(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    if not can_act(request.user, mistake):
        messages.error(
            request, "Only the mistake's people, its team's responders and admins may tell."
        )
        return _back(mistake)
    if request.method == "POST":
        form = TellForm(request.POST)
        try:
            sent = services.send(
                mistake,
                audience_key=request.POST.get("audience", ""),
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
                recipients=services.split_entries(request.POST.get("recipients", "")),
                actor=request.user,
            )
        except InvalidInput as error:
            form.is_valid()  # the form's own messages first; the service adds what they miss
            with_errors(form, error, keep_form_errors=True)
        else:
            count = sent.recipients.count()
            messages.success(
                request, f"Queued for {count} recipient{'' if count == 1 else 's'}: {sent.subject}"
            )
            return _back(mistake)
        findings = language.check_text(request.POST.get("subject", ""), "subject")
        findings += language.check_text(request.POST.get("body", ""), "body")
    else:
        first = services.audiences().first()
        key = request.GET.get("audience") or (first.key if first else "")
        try:
            drafted = services.draft(mistake, key)
        except InvalidInput as error:
            messages.error(request, str(error))
            return _back(mistake)
        form = TellForm(
            initial={
                "audience": drafted.audience.key,
                "subject": drafted.subject,
                "body": drafted.body,
                "recipients": "\n".join(drafted.recipients),
            }
        )
        findings = drafted.findings
    return render(
        request,
        "communication/tell.html",
        {"mistake": mistake, "form": form, "findings": findings, "lead": services.lead_of(mistake)},
    )


@login_required
@require_POST
def check_language(request: HttpRequest) -> HttpResponse:
    """The findings for the text being written, for the draft page to show as you type."""
    findings = language.check_text(request.POST.get("subject", ""), "subject")
    findings += language.check_text(request.POST.get("body", ""), "body")
    return render(request, "communication/_findings.html", {"findings": findings})


@login_required
@require_POST
def set_lead(request: HttpRequest, mistake_id: int) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    try:
        person = services.set_lead(mistake, request.POST.get("lead", ""), actor=request.user)
    except (InvalidInput, NotAllowed) as error:
        messages.error(request, f"Not changed: {error}")
    else:
        messages.success(
            request, f"{person.get_full_name() or person.username} leads communication."
        )
    return _back(mistake)


def _message_action(request: HttpRequest, message_id: int, remind: bool) -> HttpResponse:
    try:
        message = services.get_message(request.user, message_id)
    except NotFound as error:
        raise Http404(str(error)) from None
    try:
        if remind:
            count = services.remind_unacknowledged(message, actor=request.user)
            done = f"Reminder queued for {count} recipient{'' if count == 1 else 's'}."
        else:
            count = services.resend_failed(message, actor=request.user)
            done = f"Queued again for {count} recipient{'' if count == 1 else 's'}."
    except NotAllowed as error:
        messages.error(request, f"Not allowed: {error}.")
    else:
        messages.success(request, done)
    return _back(message.mistake)


@login_required
@require_POST
def remind(request: HttpRequest, message_id: int) -> HttpResponse:
    return _message_action(request, message_id, remind=True)


@login_required
@require_POST
def resend(request: HttpRequest, message_id: int) -> HttpResponse:
    return _message_action(request, message_id, remind=False)


def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """The page an email's link opens: no login; the button records the time."""
    try:
        if request.method == "POST":
            recipient = services.acknowledge(token)
        else:
            recipient = services.recipient_for_token(token)
    except services.BadLink as error:
        return render(request, "communication/acknowledge.html", {"error": str(error)}, status=400)
    return render(request, "communication/acknowledge.html", {"recipient": recipient})


@login_required
def download(request: HttpRequest, mistake_id: int, fmt: str) -> HttpResponse:
    mistake = _mistake_or_404(request, mistake_id)
    try:
        document = postmortem.export(mistake, request.user, fmt)
    except InvalidInput as error:
        raise Http404(str(error)) from None
    response = HttpResponse(document.content, content_type=document.content_type)
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{document.filename}"'
    return response
