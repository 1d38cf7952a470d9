"""API routes for telling everyone involved: thin adapters over the communication services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ownup.communication import language, services
from ownup.communication.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Audience, Recipient
from ownup.communication.records import findings_record, message_record
from ownup.reporting.services import get_mistake

router = Router(tags=["Communication"])


class AudienceOut(Schema):
    key: str
    name: str
    description: str
    proposes: Audience.Proposes


class FindingOut(Schema):
    field: str
    phrase: str = Field(description="The phrase from the organisation's list.")
    found: str = Field(description="The words as written.")
    excerpt: str
    suggestion: str = Field(description="Neutral wording to consider instead.")


class LanguageCheckOut(Schema):
    count: int
    findings: list[FindingOut]


class DraftOut(Schema):
    audience: str
    subject: str
    body: str
    recipients: list[str] = Field(description="Proposed from the people involved; edit freely.")
    language: LanguageCheckOut


class MessageIn(Schema):
    audience: str = Field(..., description="An audience key, for example customers or team.")
    subject: str = Field(..., max_length=SUBJECT_MAX_LENGTH)
    body: str = Field(..., max_length=BODY_MAX_LENGTH)
    recipients: list[str] = Field(
        ..., description="Email addresses (Name <a@b.c>) and Apprise URLs (slack://, json://...)."
    )


class RecipientOut(Schema):
    id: int
    channel: Recipient.Channel
    address: str = Field(description="The email address, or the chat service's name only.")
    state: Recipient.State
    error: str
    attempts: int
    sent_at: datetime | None
    acknowledged_at: datetime | None
    reminded_at: datetime | None


class MessageOut(Schema):
    id: int
    mistake: int
    audience: str | None
    audience_name: str
    subject: str
    body: str
    sent_by: str | None
    sent_at: datetime
    recipients: list[RecipientOut]


class QueuedOut(Schema):
    queued: int


class LeadIn(Schema):
    lead: str = Field(..., description="The username of the communication lead.")


class LeadOut(Schema):
    lead: str | None


class TextIn(Schema):
    text: str = Field(..., max_length=BODY_MAX_LENGTH)


class DraftQuery(Schema):
    audience: str = Field(..., description="An audience key, for example customers.")


@router.get("/audiences", response=list[AudienceOut], summary="The audiences messages are for")
def list_audiences(request: HttpRequest) -> Any:
    return list(services.audiences())


@router.get(
    "/mistakes/{mistake_id}/draft",
    response=DraftOut,
    summary="Draft a message for an audience",
    description="Rendered from the audience's template and the record, with proposed recipients "
    "and the blame-language check of the draft.",
)
def draft(request: HttpRequest, mistake_id: int, query: Query[DraftQuery]) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    drafted = services.draft(mistake, query.audience)
    return {
        "audience": drafted.audience.key,
        "subject": drafted.subject,
        "body": drafted.body,
        "recipients": drafted.recipients,
        "language": findings_record(drafted.findings),
    }


@router.post(
    "/mistakes/{mistake_id}/messages",
    response={201: MessageOut},
    summary="Send a message",
    description="Records the message and queues its delivery to each recipient; the worker sends "
    "it, retrying with a growing delay. Email recipients get a link to acknowledge it.",
)
def send(request: HttpRequest, mistake_id: int, payload: MessageIn) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    message = services.send(
        mistake,
        audience_key=payload.audience,
        subject=payload.subject,
        body=payload.body,
        recipients=payload.recipients,
        actor=request.user,
    )
    return Status(201, message_record(message))


@router.get(
    "/mistakes/{mistake_id}/messages",
    response=list[MessageOut],
    summary="Messages sent, with delivery and acknowledgement per recipient",
)
def list_messages(request: HttpRequest, mistake_id: int) -> list[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    return [message_record(m) for m in services.messages_of(mistake)]


@router.post(
    "/messages/{message_id}/remind",
    response=QueuedOut,
    summary="Remind the recipients who have not acknowledged",
)
def remind(request: HttpRequest, message_id: int) -> dict[str, int]:
    message = services.get_message(request.user, message_id)
    return {"queued": services.remind_unacknowledged(message, actor=request.user)}


@router.post(
    "/messages/{message_id}/resend", response=QueuedOut, summary="Send again where delivery failed"
)
def resend(request: HttpRequest, message_id: int) -> dict[str, int]:
    message = services.get_message(request.user, message_id)
    return {"queued": services.resend_failed(message, actor=request.user)}


@router.get(
    "/mistakes/{mistake_id}/communication-lead", response=LeadOut, summary="The communication lead"
)
def show_lead(request: HttpRequest, mistake_id: int) -> dict[str, str | None]:
    lead = services.lead_of(get_mistake(request.user, mistake_id))
    return {"lead": lead.get_username() if lead else None}


@router.put(
    "/mistakes/{mistake_id}/communication-lead",
    response=LeadOut,
    summary="Make someone the communication lead",
)
def set_lead(request: HttpRequest, mistake_id: int, payload: LeadIn) -> dict[str, str | None]:
    mistake = get_mistake(request.user, mistake_id)
    return {"lead": services.set_lead(mistake, payload.lead, actor=request.user).get_username()}


@router.get(
    "/mistakes/{mistake_id}/language-check",
    response=LanguageCheckOut,
    summary="Blame-language check of a report",
    description="Flags phrasing in the title and description that blames a person, with neutral "
    "wording to consider. A warning, never a block.",
)
def check_mistake(request: HttpRequest, mistake_id: int) -> dict[str, Any]:
    return findings_record(language.check_mistake(get_mistake(request.user, mistake_id)))


@router.post("/language-check", response=LanguageCheckOut, summary="Blame-language check of a text")
def check_text(request: HttpRequest, payload: TextIn) -> dict[str, Any]:
    return findings_record(language.check_text(payload.text))
