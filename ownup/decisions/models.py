"""Stage 4: the options for the real fix, scored on weighted criteria, and the choice made."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from ownup.reporting.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Mistake

SCORE_MIN, SCORE_MAX = 1, 5
WEIGHT_MAX = 100


# key, name, description, weight, lower is better
DEFAULT_CRITERIA = [
    ("effort", "Effort", "How much work it takes to put in place.", 2, True),
    ("risk", "Risk", "How likely it is to break something else.", 3, True),
    ("time", "Time", "How long until it is in place.", 2, True),
    ("cost", "Cost", "What it costs, once and to keep.", 1, True),
    (
        "customer_impact",
        "Customer impact",
        "How much it protects customers from this mistake happening again.",
        3,
        False,
    ),
    ("reversibility", "Reversibility", "How easily it can be undone if it goes wrong.", 1, False),
]


class CriterionQuerySet(models.QuerySet["Criterion"]):
    def in_use(self) -> CriterionQuerySet:
        """The organisation's criteria, in order; the default ones if it has none."""
        if not self.exists():
            self.bulk_create(
                self.model(
                    key=key,
                    name=name,
                    description=description,
                    weight=weight,
                    lower_is_better=lower,
                    position=position,
                )
                for position, (key, name, description, weight, lower) in enumerate(DEFAULT_CRITERIA)
            )
        return self.order_by("position", "pk")


class Criterion(models.Model):
    """One thing options are weighed on, with the organisation's weight for it."""

    key = models.SlugField(max_length=50, unique=True, help_text="Used by the API and the CLI.")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(WEIGHT_MAX)],
        help_text=f"0 to {WEIGHT_MAX}; 0 leaves it out of the ranking.",
    )
    lower_is_better = models.BooleanField(
        default=False, help_text="On for effort, risk, time and cost: a low score is good."
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__lte=WEIGHT_MAX), name="criterion_weight_in_range"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def direction(self) -> str:
        return "lower is better" if self.lower_is_better else "higher is better"


class Strength(models.TextChoices):
    """How much an action relies on people being careful (the hierarchy of actions)."""

    STRONG = "strong", "Strong: a forcing function or a change to the system"
    MEDIUM = "medium", "Medium: a checklist, a review, a double check"
    WEAK = "weak", "Weak: training, a reminder, a warning, 'be more careful'"


class Option(models.Model):
    """A candidate real fix."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    strength = models.CharField(max_length=10, choices=Strength.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "mistake", Lower("title"), name="option_title_unique_per_mistake"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def strength_word(self) -> str:
        return Strength(self.strength).name.lower()


class Score(models.Model):
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(value__gte=SCORE_MIN, value__lte=SCORE_MAX),
                name="score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option}: {self.criterion} {self.value}"


class Decision(models.Model):
    """One choice of an option; a revisited decision adds a record, the latest is current."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="decisions")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="decisions")
    rationale = models.TextField("why", max_length=DESCRIPTION_MAX_LENGTH)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"Chose {self.option}"
