"""The organisation: its people, teams, roles, severity scale and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.db import connections, models

from ownup.chat import validate_url

DEFAULT_REPORTING_POLICY = (
    "Reporting a mistake is always the right thing to do. We do not punish honest mistakes "
    "reported in good faith: we look at the conditions that made them possible and fix those. "
    "The sooner we know, the less harm is done."
)


class Organisation(models.Model):
    """The one organisation an instance serves; its settings live here."""

    name = models.CharField(max_length=200, default="Our organisation")
    reporting_policy = models.TextField(
        default=DEFAULT_REPORTING_POLICY,
        help_text="The non-punitive reporting policy shown on the report form.",
    )

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Organisation:
        organisation, _ = cls.objects.get_or_create(pk=1)
        return organisation


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    email = models.EmailField(blank=True, help_text="A shared address for the whole team.")
    chat_url = models.CharField(
        "chat channel",
        max_length=1000,
        blank=True,
        validators=[validate_url],
        help_text="Where the team's new reports are posted: an Apprise URL such as slack://… "
        "or msteams://…. Confidential reports are never posted.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    REPORTER = "reporter", "Reporter"
    RESPONDER = "responder", "Responder"
    MANAGER = "manager", "Manager"


class Membership(models.Model):
    """A person's place in a team. Admins are Django superusers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REPORTER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} ({self.role})"


# The scale an organisation starts with: name, rank, minutes to contain, tell managers at once.
DEFAULT_SCALE = [
    ("critical", 1, 15, True, "Harm is happening now to many people, or to anyone's safety."),
    ("high", 2, 60, True, "Harm to customers or money is happening or close."),
    ("medium", 3, 240, False, "Some harm is possible; it needs attention today."),
    ("low", 4, 1440, False, "Little or no harm; worth fixing and learning from."),
]


class SeverityQuerySet(models.QuerySet["Severity"]):
    def scale(self) -> SeverityQuerySet:
        """The organisation's scale, most severe first; the default one if it has none."""
        if not self.exists():
            self.bulk_create(
                self.model(
                    name=name,
                    rank=rank,
                    target_contain_minutes=minutes,
                    notify_managers=managers,
                    description=description,
                )
                for name, rank, minutes, managers, description in DEFAULT_SCALE
            )
        return self.order_by("rank")

    def least_severe(self) -> Severity | None:
        """The scale's last step, the severity of a report that does not say; None without a
        scale."""
        # Raw, its row read from the cursor: every such report asks, and this one-row query
        # built through the ORM cost ten times as long as running it, a raw queryset four times.
        fields = self.model._meta.concrete_fields
        database = connections[self.db]
        columns = ", ".join(database.ops.quote_name(cast(str, f.column)) for f in fields)
        with database.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {self.model._meta.db_table} ORDER BY rank DESC LIMIT 1"
            )
            row = cursor.fetchone()
        return (
            None if row is None else self.model.from_db(self.db, [f.attname for f in fields], row)
        )


class Severity(models.Model):
    """One step of the organisation's severity scale, with its target time to contain."""

    name = models.CharField(max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(
        unique=True, help_text="1 is the most severe; the scale is ordered by rank."
    )
    target_contain_minutes = models.PositiveIntegerField(
        help_text="How long a mistake of this severity may stay uncontained before it escalates."
    )
    notify_managers = models.BooleanField(
        default=False, help_text="Tell the team's managers at once, not only its responders."
    )
    description = models.CharField(max_length=200, blank=True)

    objects = SeverityQuerySet.as_manager()

    class Meta:
        ordering = ["rank"]
        verbose_name_plural = "severities"

    def __str__(self) -> str:
        return self.name

    @property
    def target_contain(self) -> timedelta:
        return timedelta(minutes=self.target_contain_minutes)

    @property
    def target_contain_text(self) -> str:
        """The target in the largest whole unit: "15 min", "4 hours", "1 day"."""
        minutes = self.target_contain_minutes
        for size, one, many in ((1440, "day", "days"), (60, "hour", "hours")):
            if minutes >= size and minutes % size == 0:
                count = minutes // size
                return f"{count} {one if count == 1 else many}"
        return f"{minutes} min"


TOKEN_PREFIX = "ownup_"


def hash_token(raw: str) -> str:
    # Tokens are long random strings, so one round of SHA-256 is enough to keep them unusable
    # if the database leaks; a slow password hash would only slow every API call.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def issue(self, user: models.Model, name: str = "") -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is shown once and never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, key_hash=hash_token(raw), hint=raw[-4:])
        return token, raw


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=4, editable=False, help_text="The secret's last characters.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name or 'token'} …{self.hint} ({self.user})"


class SlackAccount(models.Model):
    """Someone's account in a Slack workspace, connected to their ownup account by themselves:
    what they type in Slack's ``/ownup`` is done as them."""

    workspace = models.CharField(max_length=32, help_text="Slack's id of the workspace (T…).")
    slack_user = models.CharField(max_length=32, help_text="Slack's id of the person (U… or W…).")
    slack_name = models.CharField(max_length=100, blank=True, help_text="Their name in Slack.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack_accounts"
    )
    connected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "slack_user"], name="one_ownup_account_per_slack_account"
            )
        ]

    def __str__(self) -> str:
        return f"@{self.slack_name or self.slack_user} in Slack → {self.user}"
