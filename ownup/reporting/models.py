"""A mistake and its story: the record, its tags and its timeline."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ownup.organisation.models import Membership, Severity, Team
from ownup.reporting.changes import told_together

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 50_000


class Stage(models.TextChoices):
    """The eight stages of the method, in order."""

    REPORTED = "reported", "Reported"
    CONTAINED = "contained", "Contained"
    UNDERSTOOD = "understood", "Understood"
    DECIDED = "decided", "Decided"
    FIXED = "fixed", "Fixed"
    TOLD = "told", "Told"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"

    @property
    def order(self) -> int:
        return list(Stage).index(self)


class DiscoveredBy(models.TextChoices):
    SELF = "self", "Me, the person who made it"
    COLLEAGUE = "colleague", "A colleague"
    CUSTOMER = "customer", "A customer"
    CHECK = "check", "An automated check"
    AUDIT = "audit", "An audit"
    OTHER = "other", "Someone or something else"


class Harm(models.TextChoices):
    NEAR_MISS = "near_miss", "Good catch: it could have happened, but did not"
    DID_NOT_REACH = "did_not_reach", "It happened, but did not reach anyone"
    REACHED_NO_HARM = "reached_no_harm", "It reached someone, without harm"
    HARM = "harm", "It caused harm"


class Confidentiality(models.TextChoices):
    OPEN = "open", "Open: everyone in the organisation"
    TEAM = "team", "Team: the team's members only"
    RESTRICTED = "restricted", "Restricted: named people only"
    ANONYMOUS = "anonymous", "Anonymous: open, and the reporter's identity is not stored"


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MistakeQuerySet(models.QuerySet["Mistake"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        # Django says one mistake at a time that it was deleted: what follows mistakes (the
        # dashboard's totals) hears of them all at once, in the deletion's transaction.
        with transaction.atomic(using=self.db, savepoint=False), told_together():
            return super().delete()

    def visible_to(self, user: User | AnonymousUser) -> MistakeQuerySet:
        """The mistakes this person may know exist: the one rule every list, search and export uses.

        Team and restricted mistakes are hidden from everyone outside them, admins included:
        people outside them cannot learn they exist.
        """
        if not user.is_authenticated:
            return self.none()
        # Subqueries rather than joins: a join through teams and restricted people repeats rows,
        # and taking them apart again (DISTINCT) costs a scan of every mistake on each list.
        restricted_ids = Mistake.restricted_to.through.objects.filter(user=user).values(
            "mistake_id"
        )
        team_ids = Membership.objects.filter(user=user).values("team_id")
        insiders = Q(reporter=user) | Q(owner=user) | Q(pk__in=restricted_ids)
        team_members = Q(confidentiality=Confidentiality.TEAM, team_id__in=team_ids)
        open_ = Q(confidentiality__in=[Confidentiality.OPEN, Confidentiality.ANONYMOUS])
        return self.filter(open_ | team_members | insiders)


class Mistake(models.Model):
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField("what happened", blank=True)

    occurred_at = models.DateTimeField("when it happened", null=True, blank=True)
    noticed_at = models.DateTimeField("when it was noticed", null=True, blank=True)
    reported_at = models.DateTimeField("when it was reported", default=timezone.now, db_index=True)
    discovered_by = models.CharField(
        "who found it", max_length=20, choices=DiscoveredBy.choices, default=DiscoveredBy.SELF
    )
    harm = models.CharField(max_length=20, choices=Harm.choices, blank=True)
    severity = models.ForeignKey(Severity, on_delete=models.PROTECT, related_name="mistakes")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_mistakes",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_mistakes",
        db_index=False,  # "owned_newest_first" below begins with it, and serves its look-ups
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="mistakes"
    )
    confidentiality = models.CharField(
        max_length=20, choices=Confidentiality.choices, default=Confidentiality.OPEN
    )
    restricted_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="restricted_mistakes"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="mistakes")

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.REPORTED)
    # Milestones of the lifecycle, kept on the record because every dashboard figure needs them.
    contained_at = models.DateTimeField(null=True, blank=True)
    fixed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MistakeQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["stage", "-reported_at"]),
            # What is waiting for a person begins with the mistakes they own, newest first.
            models.Index(fields=["owner", "-reported_at"], name="owned_newest_first"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        # Named among reporting's own pages, which are mounted at the root: the same path,
        # without loading every app's pages and the API (a fifth of the start of a command).
        return reverse("detail", args=[self.pk], urlconf="ownup.reporting.urls")

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    def has_reached(self, stage: Stage) -> bool:
        """Whether the mistake is at ``stage`` or past it."""
        return self.stage_enum.order >= stage.order

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality in {Confidentiality.TEAM, Confidentiality.RESTRICTED}

    @property
    def is_anonymous(self) -> bool:
        return self.confidentiality == Confidentiality.ANONYMOUS

    @property
    def found_by(self) -> str:
        """Who found it, for anyone reading: the form's "Me, ..." is the reporter's own word."""
        if self.discovered_by == DiscoveredBy.SELF:
            return "The person who made it"
        return self.get_discovered_by_display()

    @property
    def time_to_report(self) -> timedelta | None:
        """From noticing to reporting: the figure early disclosure is measured by."""
        if self.noticed_at is None:
            return None
        return max(self.reported_at - self.noticed_at, timedelta(0))

    @property
    def self_disclosed(self) -> bool:
        """Reported by the person who made it before anyone else found it."""
        return self.discovered_by == DiscoveredBy.SELF


class TimelineEntry(models.Model):
    """One moment of a mistake's story; the automatic ones are also its audit trail."""

    class Kind(models.TextChoices):
        REPORTED = "reported", "Reported"
        CHANGED = "changed", "Changed"
        STAGE = "stage", "Stage"
        NOTE = "note", "Note"
        EVENT = "event", "Event"

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    changes = models.JSONField(
        default=dict, blank=True, help_text="Field name to [before, after], for the audit."
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.text}"


ALERT_KEY_MAX_LENGTH = 200


class AlertKey(models.Model):
    """Which mistake an outside alert was reported as, so the same alert is not reported twice."""

    key = models.CharField(
        max_length=ALERT_KEY_MAX_LENGTH, unique=True, help_text="The alert's fingerprint."
    )
    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="alert_keys")
    times = models.PositiveIntegerField(default=1, help_text="Firings while the mistake was open.")
    last_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"alert {self.key[:20]} → #{self.mistake_id}"


class UsedSlackLink(models.Model):
    """A connection link from Slack's ``/ownup`` that was followed: each is followed once, so a
    form sent twice does not report its mistake twice."""

    nonce = models.CharField(max_length=32, unique=True)
    used_at = models.DateTimeField(default=timezone.now)
    mistake = models.ForeignKey(Mistake, on_delete=models.SET_NULL, null=True, related_name="+")

    def __str__(self) -> str:
        return f"Slack link {self.nonce} used {self.used_at:%Y-%m-%d %H:%M}"
