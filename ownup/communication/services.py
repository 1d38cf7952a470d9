"""The rules of telling: drafts from the record, recipients, sending, acknowledgements.

Drafts are rendered from the organisation's own templates (``Audience``); delivery runs in the
worker (``tasks.py``), one task per recipient, so a mail server that is down delays a message and
loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone

from ownup import chat
from ownup.communication import touchpoints
from ownup.communication.language import Finding, check_text
from ownup.communication.models import (
    BODY_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    Audience,
    CommunicationLead,
    Message,
    Recipient,
)
from ownup.organisation.models import Organisation, Role
from ownup.reporting.models import Mistake, Stage, TimelineEntry
from ownup.reporting.services import AnyUser, InvalidInput, NotAllowed, NotFound, can_act, can_see

ACK_SALT = "ownup.communication.acknowledge"


# ------------------------------------------------------------------------------ audiences, lead


def audiences() -> QuerySet[Audience]:
    return Audience.objects.listed()


def get_audience(key: str) -> Audience:
    found = audiences().filter(key=key).first()
    if found is None:
        keys = ", ".join(audiences().values_list("key", flat=True))
        raise InvalidInput({"audience": [f"There is no audience {key!r}; choose one of {keys}."]})
    return found


def lead_of(mistake: Mistake) -> User | None:
    found = CommunicationLead.objects.filter(mistake=mistake).select_related("person").first()
    return found.person if found else None


def set_lead(mistake: Mistake, username: str, *, actor: AnyUser) -> User:
    """Make one person the mistake's communication lead (replacing any other)."""
    if not can_act(actor, mistake):
        raise NotAllowed("only the mistake's people, its team's responders and admins may do that")
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise InvalidInput({"lead": [f"There is no active user named {username!r}."]})
    if not can_see(person, mistake):
        raise InvalidInput({"lead": [f"{username} cannot see this mistake, so cannot lead it."]})
    with transaction.atomic():
        CommunicationLead.objects.update_or_create(
            mistake=mistake, defaults={"person": person, "since": timezone.now()}
        )
        TimelineEntry.objects.create(
            mistake=mistake,
            actor=actor if actor.is_authenticated else None,
            kind=TimelineEntry.Kind.CHANGED,
            text=f"Communication lead: {person.get_full_name() or username}",
        )
    return person


# ------------------------------------------------------------------------------------- drafts


@dataclass
class Draft:
    audience: Audience
    subject: str
    body: str
    recipients: list[str]
    findings: list[Finding] = field(default_factory=list)


def template_context(mistake: Mistake) -> dict[str, Any]:
    """What an audience's template may use: the record, told in plain words."""
    from ownup.fixes.models import Status

    actions = list(mistake.actions.exclude(status=Status.CANCELLED).select_related("owner"))
    lead = lead_of(mistake)
    return {
        "mistake": mistake,
        "organisation": Organisation.current(),
        "what_happened": mistake.description or mistake.title,
        "why": touchpoints.why(mistake),
        "contained": touchpoints.containment(mistake),
        "results": touchpoints.results(mistake),
        "done_actions": [a for a in actions if a.status == Status.DONE],
        "next_actions": [a for a in actions if a.status != Status.DONE],
        "lead": lead,
        "lead_name": (lead.get_full_name() or lead.get_username()) if lead else "",
    }


def render(template_text: str, context: dict[str, Any], what: str) -> str:
    try:
        template = Engine.get_default().from_string(template_text)
        return template.render(Context(context, autoescape=False))
    except TemplateSyntaxError as error:
        raise InvalidInput({what: [f"The audience's template does not parse: {error}"]}) from None


def draft(mistake: Mistake, audience_key: str) -> Draft:
    audience = get_audience(audience_key)
    context = template_context(mistake)
    if audience.follows_up_id:
        first = mistake.messages.filter(audience_id=audience.follows_up_id).order_by("sent_at")
        context["first_told"] = first.values_list("sent_at", flat=True).first()
    subject = " ".join(render(audience.subject_template, context, "subject").split())
    body = _tidy(render(audience.body_template, context, "body"))
    return Draft(
        audience=audience,
        subject=subject,
        body=body,
        recipients=propose_recipients(mistake, audience),
        findings=check_text(subject, "subject") + check_text(body, "body"),
    )


def _tidy(text: str) -> str:
    # Template tags leave blank lines behind; keep paragraphs, drop the runs of empty lines.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


def propose_recipients(mistake: Mistake, audience: Audience) -> list[str]:
    """The people to tell, proposed from the record; the user edits the list before sending."""
    people: list[User] = []
    if audience.proposes == Audience.Proposes.INVOLVED:
        people = [p for p in (mistake.reporter, mistake.owner, lead_of(mistake)) if p is not None]
        if mistake.team_id:
            people += list(User.objects.filter(memberships__team_id=mistake.team_id))
        people += [a.owner for a in mistake.actions.select_related("owner")]
        people += touchpoints.owners(mistake)
    elif audience.proposes == Audience.Proposes.MANAGERS and mistake.team_id:
        people = list(
            User.objects.filter(
                memberships__team_id=mistake.team_id, memberships__role=Role.MANAGER
            )
        )
    seen: set[str] = set()
    proposed = []
    for person in people:
        email = person.email.strip().lower()
        if person.is_active and email and email not in seen and can_see(person, mistake):
            seen.add(email)
            proposed.append(formataddr((person.get_full_name(), person.email)))
    if audience.follows_up_id:
        # The people the first message told, whoever they are: customers are not users.
        told = Recipient.objects.filter(
            message__mistake=mistake, message__audience_id=audience.follows_up_id
        ).order_by("pk")
        for recipient in told:
            if recipient.address.strip().lower() not in seen:
                seen.add(recipient.address.strip().lower())
                proposed.append(
                    formataddr((recipient.name, recipient.address))
                    if recipient.channel == Recipient.Channel.EMAIL
                    else recipient.address
                )
    return proposed


def follow_ups_due(mistake: Mistake) -> list[Audience]:
    """The written follow-ups the messages sent so far promised, once the fix is being
    checked: an audience told, whose follow-up has not been sent yet."""
    if not mistake.has_reached(Stage.MONITORING):
        return []
    told = set(mistake.messages.values_list("audience_id", flat=True))
    due = Audience.objects.filter(follows_up__in=told).exclude(pk__in=told)
    return list(due.select_related("follows_up"))


# --------------------------------------------------------------------------------- recipients


@dataclass(frozen=True)
class Address:
    channel: str
    address: str
    name: str = ""


def split_entries(text: str) -> list[str]:
    """One recipient a line; email addresses may also be separated by commas."""
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if chat.looks_like_url(line):
            entries.append(line)
        else:
            entries += [part.strip() for part in line.split(",") if part.strip()]
    return entries


def parse_recipients(entries: Iterable[str], mistake: Mistake) -> list[Address]:
    """Each entry as an email address or an Apprise URL, or InvalidInput naming the bad ones."""
    problems: list[str] = []
    found: dict[str, Address] = {}
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        address = _parse_one(entry, problems)
        if address is not None:
            found.setdefault(address.address.lower(), address)
    if not problems and not found:
        problems.append("Add at least one email address or Apprise URL.")
    if not problems and mistake.is_confidential:
        problems += _confidential_problems(found.values(), mistake)
    if problems:
        raise InvalidInput({"recipients": problems})
    return list(found.values())


def _parse_one(entry: str, problems: list[str]) -> Address | None:
    if chat.looks_like_url(entry):
        if problem := chat.problem_with(entry):
            problems.append(problem)
            return None
        return Address(Recipient.Channel.APPRISE, entry)
    name, email = parseaddr(entry)
    try:
        validate_email(email)
    except ValidationError:
        problems.append(f"{entry!r} is not a valid email address.")
        return None
    return Address(Recipient.Channel.EMAIL, email, name)


def _confidential_problems(addresses: Iterable[Address], mistake: Mistake) -> list[str]:
    # A confidential mistake is told only to people who may see it, and never on a channel
    # whose audience nobody here controls.
    problems = []
    for address in addresses:
        if address.channel == Recipient.Channel.APPRISE:
            problems.append(
                "This mistake is confidential: tell it by email to the people who can see it, "
                "not on a chat channel or webhook."
            )
            continue
        people = User.objects.filter(email__iexact=address.address, is_active=True)
        if not any(can_see(person, mistake) for person in people):
            problems.append(
                f"{address.address} is not someone who can see this confidential mistake."
            )
    return problems


# ------------------------------------------------------------------------------------ sending


_PLACEHOLDER = re.compile(r"\[[^\[\]{}%\n]*[^\W\d_][^\[\]{}%\n]*\]")


def placeholders(audience: Audience) -> list[str]:
    """The bracketed lines of the audience's draft that the writer is to replace, such as
    "[Why it happened, in plain words…]": the text of its templates in square brackets."""
    found = _PLACEHOLDER.findall(audience.subject_template + "\n" + audience.body_template)
    return list(dict.fromkeys(found))


def send(
    mistake: Mistake,
    *,
    audience_key: str,
    subject: str,
    body: str,
    recipients: Sequence[str],
    actor: AnyUser,
) -> Message:
    """Record a message and queue its delivery to each recipient."""
    if not can_act(actor, mistake):
        raise NotAllowed("only the mistake's people, its team's responders and admins may tell")
    audience = get_audience(audience_key)
    subject, body = " ".join(subject.split()), body.strip()
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = ["Write a subject."]
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = [f"Keep the subject under {SUBJECT_MAX_LENGTH} characters."]
    if not body:
        errors["body"] = ["Write the message."]
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = [f"Keep the message under {BODY_MAX_LENGTH} characters."]
    left = [place for place in placeholders(audience) if place in body]
    if left:
        errors["body"] = [
            "Fill in or delete what is still in square brackets: " + ", ".join(left[:3])
        ]
    try:
        addresses = parse_recipients(recipients, mistake)
    except InvalidInput as invalid:
        errors.update(invalid.errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        message = Message.objects.create(
            mistake=mistake,
            audience=audience,
            audience_name=audience.name,
            subject=subject,
            body=body + "\n",
            sent_by=actor if actor.is_authenticated else None,
        )
        created = Recipient.objects.bulk_create(
            Recipient(message=message, channel=a.channel, address=a.address, name=a.name)
            for a in addresses
        )
        TimelineEntry.objects.create(
            mistake=mistake,
            actor=actor if actor.is_authenticated else None,
            kind=TimelineEntry.Kind.CHANGED,
            text=f"Told {audience.name.lower()}: {subject} ({len(created)} recipient"
            f"{'' if len(created) == 1 else 's'})",
        )
        ids = [r.pk for r in Recipient.objects.filter(message=message)]
        transaction.on_commit(lambda: _queue_delivery(ids))
    return message


def _queue_delivery(recipient_ids: list[int]) -> None:
    from ownup.communication.tasks import deliver

    for recipient_id in recipient_ids:
        deliver(recipient_id)


def messages_of(mistake: Mistake) -> QuerySet[Message]:
    return mistake.messages.select_related("sent_by").prefetch_related("recipients")


def get_message(user: AnyUser, message_id: int | str) -> Message:
    try:
        return Message.objects.select_related("mistake").get(
            pk=int(message_id), mistake__in=Mistake.objects.visible_to(user)
        )
    except (Message.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(f"no message #{message_id} that you can see") from None


def resend_failed(message: Message, *, actor: AnyUser) -> int:
    """Queue again every recipient whose delivery failed; returns how many."""
    if not can_act(actor, message.mistake):
        raise NotAllowed("only the mistake's people, its team's responders and admins may resend")
    with transaction.atomic():
        failed = list(message.recipients.filter(state=Recipient.State.FAILED))
        Recipient.objects.filter(pk__in=[r.pk for r in failed]).update(
            state=Recipient.State.QUEUED, attempts=0
        )
        ids = [r.pk for r in failed]
        transaction.on_commit(lambda: _queue_delivery(ids))
    return len(failed)


# ---------------------------------------------------------------------------- acknowledgement


def ack_token(recipient: Recipient) -> str:
    return signing.dumps(recipient.pk, salt=ACK_SALT)


def ack_url(recipient: Recipient) -> str:
    return settings.BASE_URL + reverse("communication:acknowledge", args=[ack_token(recipient)])


class BadLink(ValueError):
    """An acknowledgement link that was changed, cut short or made up."""


def recipient_for_token(token: str) -> Recipient:
    try:
        recipient_id = signing.loads(token, salt=ACK_SALT)
        return Recipient.objects.select_related("message", "message__mistake").get(pk=recipient_id)
    except (signing.BadSignature, Recipient.DoesNotExist, TypeError, ValueError, OverflowError):
        raise BadLink(
            "This acknowledgement link is not valid: it may have been cut short or changed. "
            "Copy the whole link from the email, or ask the sender for a new one."
        ) from None


def acknowledge(token: str) -> Recipient:
    """Record that the recipient read the message; only the first time counts."""
    recipient = recipient_for_token(token)
    if recipient.acknowledged_at is None:
        with transaction.atomic():
            now = timezone.now()
            updated = Recipient.objects.filter(pk=recipient.pk, acknowledged_at=None).update(
                acknowledged_at=now
            )
            if updated:
                recipient.acknowledged_at = now
                TimelineEntry.objects.create(
                    mistake=recipient.message.mistake,
                    kind=TimelineEntry.Kind.EVENT,
                    text=acknowledged_text(recipient.message),
                )
    return recipient


def acknowledged_text(message: Message) -> str:
    """The timeline's words for one more acknowledgement: how many of the message's recipients
    have read it, never who. Everyone who sees the mistake reads its timeline, and the people
    told (customers among them) are named only in the Told section."""
    emailed = message.recipients.filter(channel=Recipient.Channel.EMAIL)
    read = emailed.filter(acknowledged_at__isnull=False).count()
    return f"Acknowledged by {read} of {emailed.count()} recipients: {message.subject}"


def unacknowledged(message: Message) -> QuerySet[Recipient]:
    return message.recipients.filter(
        channel=Recipient.Channel.EMAIL, state=Recipient.State.SENT, acknowledged_at=None
    )


def remind_unacknowledged(message: Message, *, actor: AnyUser) -> int:
    """Queue a reminder to each email recipient who has not acknowledged; returns how many."""
    if not can_act(actor, message.mistake):
        raise NotAllowed("only the mistake's people, its team's responders and admins may remind")
    waiting = [r.pk for r in unacknowledged(message)]
    if waiting:
        from ownup.communication.tasks import send_reminder

        def queue() -> None:
            for recipient_id in waiting:
                send_reminder(recipient_id)

        transaction.on_commit(queue)
    return len(waiting)


def acknowledgements(mistake: Mistake) -> QuerySet[Recipient]:
    return Recipient.objects.filter(message__mistake=mistake).select_related("message")


def told_needs(mistake: Mistake) -> str | None:
    sent = Recipient.objects.filter(message__mistake=mistake, state=Recipient.State.SENT)
    return None if sent.exists() else "no message about it has been sent yet"
