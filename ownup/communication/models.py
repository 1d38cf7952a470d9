"""Stage 6: telling everyone involved, and knowing who heard it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.template import Engine, TemplateSyntaxError
from django.utils import timezone

from ownup import chat
from ownup.reporting.models import Mistake

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 50_000


def check_template(text: str) -> None:
    """Refuse template text Django cannot parse, naming the problem."""
    try:
        Engine.get_default().from_string(text)
    except TemplateSyntaxError as error:
        raise ValidationError(f"This template does not parse: {error}") from None


class AudienceQuerySet(models.QuerySet["Audience"]):
    def listed(self) -> AudienceQuerySet:
        """The organisation's audiences; the default four if it has none (nobody could be told)."""
        if not self.exists():
            from ownup.communication.defaults import seed_audiences

            seed_audiences(self.model)
        return self.order_by("position", "name")


class Audience(models.Model):
    """Who a message is for, with the templates its draft is written from (editable)."""

    class Proposes(models.TextChoices):
        INVOLVED = "involved", "The people involved: reporter, owner, team, action owners"
        MANAGERS = "managers", "The team's managers"
        NOBODY = "nobody", "Nobody: addresses are typed in"

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    proposes = models.CharField(
        "recipients proposed", max_length=20, choices=Proposes.choices, default=Proposes.NOBODY
    )
    subject_template = models.CharField(max_length=SUBJECT_MAX_LENGTH, validators=[check_template])
    body_template = models.TextField(
        validators=[check_template],
        help_text="Django template text. Context: mistake, what_happened, why, contained, "
        "done_actions, next_actions, results, lead, lead_name, organisation; in a follow-up, "
        "first_told.",
    )
    follows_up = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="A written follow-up to this audience: the people it told are proposed again, "
        "and the mistake's page asks for it once the fix is being monitored.",
    )

    objects = AudienceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class BlameTerm(models.Model):
    """A phrase that puts the blame on a person, with neutral wording to suggest instead."""

    phrase = models.CharField(max_length=100, unique=True, help_text="Matched as whole words.")
    suggestion = models.CharField(max_length=300)

    class Meta:
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class CommunicationLead(models.Model):
    """The one person who keeps a mistake's messages consistent."""

    mistake = models.OneToOneField(
        Mistake, on_delete=models.CASCADE, related_name="communication_lead"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.person} leads communication on #{self.mistake_id}"


class Message(models.Model):
    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="messages")
    audience = models.ForeignKey(
        Audience, on_delete=models.SET_NULL, null=True, related_name="messages"
    )
    audience_name = models.CharField(max_length=100, help_text="As it was when sent.")
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class Recipient(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        APPRISE = "apprise", "Chat or webhook"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="recipients")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=1000, help_text="An email address or an Apprise URL.")
    name = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last attempt failed.")
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            # A person's messages still to acknowledge, found by their address in any case.
            models.Index(
                Lower("address"),
                "sent_at",
                name="recipient_unread_by_address",
                condition=Q(channel="email", state="sent", acknowledged_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How the page names the recipient; never a chat URL's secret parts."""
        if self.channel == self.Channel.APPRISE:
            return self.name or chat.private(self.address)
        return f"{self.name} <{self.address}>" if self.name else self.address

    @property
    def can_acknowledge(self) -> bool:
        return self.channel == self.Channel.EMAIL
