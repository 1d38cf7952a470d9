"""Stage 5: the corrective and preventive actions that make the real fix."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from ownup.decisions.models import Strength  # one scale for options and actions
from ownup.reporting.models import Mistake

TITLE_MAX_LENGTH = 200


class FixPolicy(models.Model):
    """The organisation's rules for actions: one row, edited in the admin."""

    require_independent_verification = models.BooleanField(
        default=False,
        help_text="A done action must be verified by someone other than its owner.",
    )
    remind_days_before = models.PositiveSmallIntegerField(
        default=2, help_text="How many days before the due date the owner is reminded."
    )

    class Meta:
        verbose_name = "fix policy"
        verbose_name_plural = "fix policy"

    def __str__(self) -> str:
        return "Fix policy"

    @classmethod
    def current(cls) -> FixPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class Kind(models.TextChoices):
    CORRECTIVE = "corrective", "Corrective: removes the cause here"
    PREVENTIVE = "preventive", "Preventive: stops it happening elsewhere or again"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Action(models.Model):
    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTIVE)
    strength = models.CharField(max_length=10, choices=Strength.choices, default=Strength.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fix_actions"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    tracker_url = models.URLField("tracker link", max_length=500, blank=True)

    evidence = models.TextField(blank=True, help_text="What shows it was done.")
    done_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="verified_fix_actions",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(blank=True)

    # When the worker last wrote about the action, so a periodic run never writes twice.
    reminded_for = models.DateField(null=True, blank=True)
    escalated_for = models.DateField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def outcome_text(self) -> str | None:
        """Beside a similar mistake in the library: the action, once it is done."""
        return self.title if self.status == Status.DONE else None

    @property
    def is_closed(self) -> bool:
        return self.status in {Status.DONE, Status.CANCELLED}

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def is_overdue(self, today: date | None = None) -> bool:
        return not self.is_closed and self.due_date < (today or timezone.localdate())
