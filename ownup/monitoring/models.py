"""Effectiveness checks, their history, and the lesson a mistake leaves behind when it closes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from ownup.reporting.models import Mistake, Stage

DEFAULT_WINDOW_DAYS = 30


class CheckKind(models.TextChoices):
    HTTP = "http", "HTTP probe"
    METRIC = "metric", "Metric threshold"
    COMMAND = "command", "Command"
    SQL = "sql", "SQL query"
    CHECKIN = "checkin", "Check-in with a person"
    RECURRENCE = "recurrence", "Recurrence watch"


class Outcome(models.TextChoices):
    RUNNING = "running", "Running"
    WAITING = "waiting", "Waiting for an answer"
    PASSED = "passed", "Held"
    FAILED = "failed", "Failed"


class Verdict(models.TextChoices):
    """A check's outcome over its window, in the words of a corrective-action review."""

    NOT_STARTED = "not_started", "Starts when the mistake is monitored"
    IN_PROGRESS = "in_progress", "In its window"
    EFFECTIVE = "effective", "Effective"
    PARTIAL = "partial", "Partially effective: add actions"
    NO_EVIDENCE = "no_evidence", "No evidence: it never ran in its window"
    NOT_EFFECTIVE = "not_effective", "Not effective: reopened"


class MonitoringPolicy(models.Model):
    """The organisation's rules for monitoring and closing; one row."""

    sign_off_required = models.BooleanField(
        default=False,
        help_text="A person closes a verified mistake; otherwise it closes by itself once every "
        "check has held for its window and the lesson is written.",
    )
    default_window_days = models.PositiveSmallIntegerField(default=DEFAULT_WINDOW_DAYS)
    default_failures_to_reopen = models.PositiveSmallIntegerField(
        default=2, help_text="Consecutive failures of a check that reopen its mistake."
    )

    class Meta:
        verbose_name_plural = "monitoring policy"

    def __str__(self) -> str:
        return "Monitoring policy"

    @classmethod
    def current(cls) -> MonitoringPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class EffectivenessCheck(models.Model):
    """One agreed way of telling whether a mistake's fix keeps working."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=CheckKind.choices)
    name = models.CharField(max_length=200, help_text="The criterion, in words.")
    baseline = models.CharField(
        max_length=500, blank=True, help_text="What it was before the fix, for comparison."
    )
    config = models.JSONField(default=dict, help_text="What the kind needs: URL, query, ...")
    interval_minutes = models.PositiveIntegerField(null=True, blank=True)
    cron = models.CharField(max_length=100, blank=True)
    window_days = models.PositiveSmallIntegerField(default=DEFAULT_WINDOW_DAYS)
    failures_to_reopen = models.PositiveSmallIntegerField(default=2)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
        help_text="Who a check-in asks.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # Kept up to date by the scheduler so that finding the due checks is one indexed query.
    active = models.BooleanField(default=False)
    next_due_at = models.DateTimeField(null=True, blank=True)
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_passes = models.PositiveIntegerField(default=0)
    window_failures = models.PositiveIntegerField(default=0)
    consecutive_failures = models.PositiveIntegerField(default=0)
    reopened_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["active", "next_due_at"], name="check_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def schedule_text(self) -> str:
        if self.cron:
            return f"cron {self.cron}"
        minutes = self.interval_minutes or 0
        for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
            if minutes % size == 0:
                count = minutes // size
                return f"every {unit}" if count == 1 else f"every {count} {unit}s"
        return f"every {minutes} minutes"  # pragma: no cover

    @property
    def window_ends_at(self) -> datetime | None:
        if self.window_started_at is None:
            return None
        return self.window_started_at + timedelta(days=self.window_days)

    def verdict(self, now: datetime | None = None) -> Verdict:
        now = now or timezone.now()
        if self.reopened_at and (
            self.window_started_at is None or self.reopened_at >= self.window_started_at
        ):
            return Verdict.NOT_EFFECTIVE
        ends = self.window_ends_at
        if ends is None:
            return Verdict.NOT_STARTED
        if now < ends:
            return Verdict.IN_PROGRESS
        if self.window_passes == 0:
            return Verdict.NO_EVIDENCE
        return Verdict.PARTIAL if self.window_failures else Verdict.EFFECTIVE


class CheckRun(models.Model):
    """One run of a check for one due slot; the unique slot is the claim that stops a second
    worker from running the same check for the same slot."""

    check_ref = models.ForeignKey(
        EffectivenessCheck, on_delete=models.CASCADE, related_name="runs", db_column="check_id"
    )
    slot = models.DateTimeField(help_text="The time the run was due.")
    claim = models.CharField(
        max_length=32, blank=True, db_index=True, help_text="Which worker took the slot."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    detail = models.TextField(blank=True)
    in_window = models.BooleanField(default=False, help_text="Counts towards the window.")
    answer_due_at = models.DateTimeField(null=True, blank=True, help_text="For check-ins.")
    related_mistake = models.ForeignKey(
        Mistake,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The new report a recurrence watch found.",
    )

    class Meta:
        ordering = ["-slot", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["check_ref", "slot"], name="one_run_per_check_slot")
        ]
        indexes = [models.Index(fields=["outcome", "answer_due_at"], name="checkin_waiting")]

    def __str__(self) -> str:
        return f"{self.check_ref_id} @ {self.slot:%Y-%m-%d %H:%M}: {self.outcome}"


class Lesson(models.Model):
    """What a mistake taught, written at closing, de-identified for the learning library."""

    mistake = models.OneToOneField(Mistake, on_delete=models.CASCADE, related_name="lesson")
    learned = models.TextField("what we learned")
    advice = models.TextField("what others should do")
    tags = models.JSONField(default=list, blank=True)
    verified_effective = models.BooleanField(default=False)
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at"]

    def __str__(self) -> str:
        return self.learned[:80]

    def outcome_text(self) -> str:
        """Beside a similar mistake in the library: what was learned, then what to do, read on
        as sentences of one paragraph."""
        parts = [part.strip() for part in (self.learned, self.advice) if part.strip()]
        return " ".join(part if part[-1] in ".!?…" else f"{part}." for part in parts)


class Closure(models.Model):
    """How a mistake closed: verified by its checks, or with a reason; and who is thanked."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="closures")
    at = models.DateTimeField(default=timezone.now)
    verified = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    thanked = models.JSONField(default=list, help_text="The names of the people thanked.")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"#{self.mistake_id} closed {'verified' if self.verified else 'with a reason'}"


def verified_effective() -> models.Q:
    """The dashboard's condition on mistakes: closed, and closed as verified by their checks."""
    verified = Closure.objects.filter(mistake=models.OuterRef("pk"), verified=True)
    return models.Q(stage=Stage.CLOSED) & models.Q(models.Exists(verified))
