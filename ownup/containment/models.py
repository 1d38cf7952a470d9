"""Stage 2: the quick fixes that stop the harm, each guarded by a do-no-harm check."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ownup.reporting.models import DESCRIPTION_MAX_LENGTH, Mistake

TEXT_MAX_LENGTH = 2000
AGREED_BY_MAX_LENGTH = 200


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    TAKEN = "taken", "Taken"
    REMOVED = "removed", "Removed"


class ContainmentAction(models.Model):
    """One quick fix. Temporary by nature: it says when it should come off again.

    An action that can be undone is recorded as taken at once. One that cannot be undone is
    proposed first and needs the approval of someone other than its author before it is taken.
    """

    mistake = models.ForeignKey(
        Mistake, on_delete=models.CASCADE, related_name="containment_actions"
    )
    what = models.CharField("what was done", max_length=TEXT_MAX_LENGTH)
    could_harm = models.CharField("what it could harm", max_length=TEXT_MAX_LENGTH)
    reversible = models.BooleanField("can be undone", default=True)
    rollback = models.CharField(
        "how to undo it",
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text="The rollback; for one that cannot be undone, why not.",
    )
    agreed_by = models.CharField("who agreed", max_length=AGREED_BY_MAX_LENGTH)
    remove_by = models.DateTimeField("remove by", null=True, blank=True)

    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.PROPOSED
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.what} ({self.get_status_display().lower()})"

    def outcome_text(self) -> str | None:
        """Beside a similar mistake in the library: what was done, once it was done."""
        return self.what if self.status in (ActionStatus.TAKEN, ActionStatus.REMOVED) else None

    @property
    def in_place(self) -> bool:
        return self.status == ActionStatus.TAKEN

    @property
    def needs_approval(self) -> bool:
        return not self.reversible and self.status == ActionStatus.PROPOSED

    @property
    def overdue_for_removal(self) -> bool:
        return self.in_place and self.remove_by is not None and self.remove_by < timezone.now()

    @property
    def left_after_fix(self) -> bool:
        """Still in place although the real fix is in: containment that was forgotten."""
        return self.in_place and self.mistake.fixed_at is not None


class CustomerCare(models.Model):
    """What was done right now for the affected customers, kept apart from the quick fixes."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="customer_care")
    text = models.TextField("what was done for customers", max_length=DESCRIPTION_MAX_LENGTH)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "customer care"

    def __str__(self) -> str:
        return self.text[:80]


class SupportStep(models.Model):
    """Support offered to the person who made the mistake: private to managers and the reporter."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="support_steps")
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    offered_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["offered_at", "pk"]

    def __str__(self) -> str:
        return f"Support offered by {self.offered_by} at {self.offered_at:%Y-%m-%d %H:%M}"


class Escalation(models.Model):
    """A mistake not contained in time, told to its team's managers: once per level."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    notified = models.JSONField(default=list, blank=True, help_text="Usernames told.")

    class Meta:
        ordering = ["mistake", "level"]
        constraints = [
            models.UniqueConstraint(fields=["mistake", "level"], name="escalate_once_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.mistake} escalated to level {self.level}"
