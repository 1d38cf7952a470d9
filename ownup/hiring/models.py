"""The hiring kit: questions about real mistakes and growth, and each candidate's scorecard."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

HIRING_TEAM = "Hiring team"


class Topic(models.TextChoices):
    MISTAKES = "mistakes", "A real mistake"
    WEAKNESSES = "weaknesses", "Weaknesses"
    GROWTH = "growth", "What to improve next"


class Question(models.Model):
    topic = models.CharField(max_length=20, choices=Topic.choices)
    text = models.TextField()
    listen_for = models.TextField(blank=True, help_text="What a candid answer sounds like.")
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["topic", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Candour(models.IntegerChoices):
    """The rubric: how openly a candidate owns mistakes and limits."""

    DEFLECTS = 1, "Deflects: no real mistake, or the blame lies elsewhere"
    GENERIC = 2, "Generic: a safe mistake, few specifics, little learned"
    OWNS = 3, "Owns it: a real mistake, their part in it, what they changed"
    TEACHES = 4, "Teaches: specifics, the harm, the fix, and how it changed others' work too"


class Scorecard(models.Model):
    candidate = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="scorecards"
    )
    interviewed_on = models.DateField()
    candour = models.PositiveSmallIntegerField(choices=Candour.choices)
    evidence = models.TextField(help_text="What the candidate said that shows the score.")
    recommendation = models.CharField(
        max_length=20,
        choices=[("hire", "Hire"), ("no_hire", "Do not hire"), ("unsure", "Unsure")],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-interviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.candidate} ({self.role})"

    def get_absolute_url(self) -> str:
        return reverse("hiring:scorecard", args=[self.pk])
