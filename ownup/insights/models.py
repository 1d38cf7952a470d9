"""What the insights app keeps: which imported record became which mistake."""

from __future__ import annotations

from django.db import models

from ownup.reporting.models import Mistake


class ImportedRecord(models.Model):
    """The stable key of an imported record, so importing the same file twice adds nothing."""

    key = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the record's identity."
    )
    source = models.CharField(max_length=300, help_text="The file or folder it came from.")
    mistake = models.OneToOneField(Mistake, on_delete=models.CASCADE, related_name="import_record")
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.source} → #{self.mistake_id}"


class Audience(models.TextChoices):
    """Who may see a mistake, as far as the dashboard's totals are concerned."""

    EVERYONE = "everyone", "Everyone (open and anonymous mistakes)"
    TEAM = "team", "The members of its team (team-confidential mistakes)"
    NAMED = "named", "Named people only (restricted, or team-confidential without a team)"


class CountedMistake(models.Model):
    """What one mistake adds to the dashboard's day totals, as it was last counted.

    Kept so that a change can take away exactly what the mistake added before, and so that
    recurrences (an earlier mistake of the same team with the same tags) are found by an index.
    Its link to the mistake has no constraint: the row outlives a deleted mistake until the
    deletion has been subtracted.
    """

    mistake = models.OneToOneField(
        Mistake,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="counted",
    )
    day = models.DateField(help_text="The day it was reported (UTC).")
    reported_us = models.BigIntegerField(help_text="When it was reported, µs since 1970 (UTC).")
    team_key = models.BigIntegerField(help_text="Its team's id, 0 without a team.")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    # Who may see a confidential mistake without being in its team (kept for those only), so a
    # viewer's own confidential mistakes are found by an index.
    reporter_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    stage = models.CharField(max_length=20)
    severity_id = models.BigIntegerField()
    tagset = models.TextField(help_text="Its tags' ids, sorted, comma-separated.")
    self_found = models.BooleanField()
    noticed = models.BooleanField()
    report_us = models.BigIntegerField(help_text="From noticing to reporting, µs.")
    contained = models.BooleanField()
    contain_us = models.BigIntegerField(help_text="From reporting to containment, µs.")
    fixed = models.BooleanField()
    fix_us = models.BigIntegerField(help_text="From reporting to the fix, µs.")
    verified = models.BooleanField(help_text="Fixed and verified effective.")
    linked = models.BooleanField(help_text="Linked as a recurrence by another app.")
    recurs_for_everyone = models.BooleanField(
        help_text="Recurs through an earlier mistake everyone may see (or a link)."
    )
    recurs_for_team = models.BooleanField(
        help_text="Recurs through an earlier mistake its team's members may see (or a link)."
    )
    categoryset = models.TextField(
        default="",
        blank=True,
        help_text="The ids of its contributing factors' categories, sorted, comma-separated.",
    )

    class Meta:
        indexes = [
            models.Index(fields=["team_key", "tagset", "reported_us"], name="counted_recurrence"),
            models.Index(fields=["reporter_id", "audience", "team_key"], name="counted_reporter"),
            models.Index(fields=["owner_id", "audience", "team_key"], name="counted_owner"),
        ]

    def __str__(self) -> str:
        return f"#{self.mistake_id} on {self.day}"


class DayTotal(models.Model):
    """Sums over the mistakes reported on one day, of one team, audience, stage and severity."""

    day = models.DateField()
    team_key = models.BigIntegerField(help_text="The team's id, 0 for mistakes without a team.")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    stage = models.CharField(max_length=20)
    severity_id = models.BigIntegerField()
    n = models.BigIntegerField(default=0)
    self_n = models.BigIntegerField(default=0)
    noticed_n = models.BigIntegerField(default=0)
    report_us = models.BigIntegerField(default=0)
    contained_n = models.BigIntegerField(default=0)
    contain_us = models.BigIntegerField(default=0)
    fixed_n = models.BigIntegerField(default=0)
    fix_us = models.BigIntegerField(default=0)
    verified_n = models.BigIntegerField(default=0)
    recurrent_for_everyone_n = models.BigIntegerField(default=0)
    recurrent_for_team_n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_key", "audience", "stage", "severity_id"],
                name="one_day_total_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_key} {self.audience} {self.stage}: {self.n}"


class DayTagTotal(models.Model):
    """How many mistakes reported on one day, of one team and audience, carry a tag."""

    day = models.DateField()
    team_key = models.BigIntegerField()
    audience = models.CharField(max_length=10, choices=Audience.choices)
    tag_id = models.BigIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_key", "audience", "tag_id"], name="one_day_tag_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_key} {self.audience} tag {self.tag_id}: {self.n}"


class DayCategoryTotal(models.Model):
    """How many mistakes reported on one day, of one team and audience, have a contributing
    factor of a category (each mistake once in a category, however many such factors)."""

    day = models.DateField()
    team_key = models.BigIntegerField()
    audience = models.CharField(max_length=10, choices=Audience.choices)
    category_id = models.BigIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_key", "audience", "category_id"],
                name="one_day_category_total",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.day} team {self.team_key} {self.audience} category {self.category_id}: {self.n}"
        )
