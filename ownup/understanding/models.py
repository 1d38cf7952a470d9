"""Stage 3, Understood: the catalogue the touch points come from, and a mistake's whole picture."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from ownup.reporting.models import Mistake

NAME_MAX_LENGTH = 200
KEY_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 5_000


# ------------------------------------------------------------------------------ the catalogue

# The vocabulary an organisation starts with; it adds its own kinds, types and categories.
DEFAULT_KINDS = [
    ("customer", "Someone the organisation serves."),
    ("system", "Software or a machine the work runs on."),
    ("product", "What the organisation sells or provides."),
    ("document", "A file, policy, price list or contract."),
    ("process", "A way of working, a routine, a run."),
    ("team", "A group of people."),
    ("vendor", "A supplier the organisation depends on."),
    ("person", "Someone outside the organisation's users, like a contact."),
]
# name, which way a mistake's impact travels, description
DEFAULT_RELATION_TYPES = [
    ("depends on", "backward", "A mistake in the target reaches the source."),
    ("uses", "backward", "A mistake in what is used reaches its user."),
    ("serves", "forward", "A mistake in the source reaches whom it serves."),
    ("supplies", "forward", "A mistake of the supplier reaches what it supplies."),
    ("feeds", "forward", "Data or work flows from the source to the target."),
    ("part of", "forward", "A mistake in a part reaches the whole."),
    ("owned by", "forward", "A mistake in the source concerns its owner."),
]
DEFAULT_FACTOR_CATEGORIES = [
    ("people", "Skills, fatigue, workload, staffing."),
    ("process", "Steps, checks, handovers, procedures."),
    ("tools", "Software, equipment, their design and defaults."),
    ("environment", "Time pressure, interruptions, place, conditions."),
    ("communication", "What was said, written, missed or misunderstood."),
    ("external", "Suppliers, customers, regulators, events outside."),
]


class EntityKind(models.Model):
    """What sort of thing an entity is: customer, system, document... the organisation adds more."""

    name = models.CharField(max_length=50, unique=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Flow(models.TextChoices):
    """Which way a mistake's impact travels along a relation "source <type> target"."""

    FORWARD = "forward", "From source to target"
    BACKWARD = "backward", "From target to source"
    BOTH = "both", "Both ways"


class RelationType(models.Model):
    """A kind of link between two entities ("depends on", "serves"): data, not code."""

    name = models.CharField(max_length=50, unique=True)
    description = models.CharField(max_length=200, blank=True)
    flows = models.CharField(
        "impact flows",
        max_length=10,
        choices=Flow.choices,
        default=Flow.FORWARD,
        help_text="For 'A depends on B' a mistake in B reaches A: from target to source.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Entity(models.Model):
    """One thing of the organisation's world a mistake can touch."""

    key = models.SlugField(
        max_length=KEY_MAX_LENGTH,
        unique=True,
        help_text="A short unique name for imports, the API and the CLI, like 'invoicing'.",
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    kind = models.ForeignKey(EntityKind, on_delete=models.PROTECT, related_name="entities")
    description = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="owned_entities"
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "entities"
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("understanding:entity", args=[self.key])


class Relation(models.Model):
    """``source`` <type> ``target``, for example "billing process" depends on "price list"."""

    source = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="outgoing")
    type = models.ForeignKey(RelationType, on_delete=models.PROTECT, related_name="relations")
    target = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="incoming")

    class Meta:
        ordering = ["pk"]
        # The walk looks relations up from either end, level by level; these two indexes cover
        # both lookups without touching the table.
        constraints = [
            models.UniqueConstraint(fields=["source", "type", "target"], name="one_relation"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="no_self_relation"),
        ]
        indexes = [models.Index(fields=["target", "type", "source"], name="relation_by_target")]

    def __str__(self) -> str:
        return f"{self.source} {self.type} {self.target}"


# ---------------------------------------------------------------- a mistake's whole picture


class TouchPoint(models.Model):
    """An entity the mistake affects, and how."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="touch_points")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="touch_points")
    impact = models.TextField(max_length=TEXT_MAX_LENGTH)
    via = models.CharField(
        max_length=1000, blank=True, help_text="The path it was proposed by, when it was."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mistake", "entity"], name="one_touch_point_per_entity")
        ]

    def __str__(self) -> str:
        return f"{self.entity}: {self.impact}"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class ProposalDecision(models.Model):
    """What someone decided about a proposed implication, so it is not proposed again.

    A proposal is an entity (accepted, it becomes a touch point) or a person to involve.
    """

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="proposals")
    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    path = models.CharField(max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(entity__isnull=False, person__isnull=True)
                | Q(entity__isnull=True, person__isnull=False),
                name="proposal_is_entity_or_person",
            ),
            models.UniqueConstraint(
                fields=["mistake", "entity"],
                condition=Q(entity__isnull=False),
                name="one_decision_per_entity",
            ),
            models.UniqueConstraint(
                fields=["mistake", "person"],
                condition=Q(person__isnull=False),
                name="one_decision_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.entity or self.person}"


class Analysis(models.Model):
    """The problem statement and the two causes: why it happened, and why nobody caught it."""

    mistake = models.OneToOneField(Mistake, on_delete=models.CASCADE, related_name="analysis")
    what = models.TextField("what went wrong", blank=True, max_length=TEXT_MAX_LENGTH)
    where = models.TextField("where", blank=True, max_length=TEXT_MAX_LENGTH)
    when = models.TextField("when", blank=True, max_length=TEXT_MAX_LENGTH)
    how_much = models.TextField("how much", blank=True, max_length=TEXT_MAX_LENGTH)
    is_not = models.TextField("what it is not", blank=True, max_length=TEXT_MAX_LENGTH)
    why_it_happened = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    why_not_caught = models.TextField(
        "why nobody caught it earlier", blank=True, max_length=TEXT_MAX_LENGTH
    )
    escape_point = models.CharField(
        "escape point",
        max_length=NAME_MAX_LENGTH,
        blank=True,
        help_text="The step where it should have been caught, like 'invoice review'.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"Analysis of {self.mistake}"


class OtherPlace(models.Model):
    """Somewhere else the same mistake could happen: an answer to "could it happen elsewhere?"."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="other_places")
    place = models.CharField(max_length=NAME_MAX_LENGTH)
    entity = models.ForeignKey(
        Entity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.place


class FactorCategory(models.Model):
    """people, process, tools, environment, communication, external: configurable."""

    name = models.CharField(max_length=50, unique=True)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "factor categories"

    def __str__(self) -> str:
        return self.name


class ContributingFactor(models.Model):
    mistake = models.ForeignKey(
        Mistake, on_delete=models.CASCADE, related_name="contributing_factors"
    )
    category = models.ForeignKey(FactorCategory, on_delete=models.PROTECT, related_name="factors")
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category__position", "added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.category}: {self.text}"


class Why(models.Model):
    """One step of the five-whys chain; ``position`` 1 answers "why did it happen?"."""

    mistake = models.ForeignKey(Mistake, on_delete=models.CASCADE, related_name="whys")
    position = models.PositiveSmallIntegerField()
    answer = models.TextField(max_length=TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["mistake", "position"], name="one_why_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.answer}"


class Culpability(models.TextChoices):
    HUMAN_ERROR = "human_error", "Human error"
    AT_RISK = "at_risk", "At-risk behaviour"
    RECKLESS = "reckless", "Reckless behaviour"


class JustCulture(models.Model):
    """The private just-culture classification: managers and the reporter only, never elsewhere."""

    mistake = models.OneToOneField(Mistake, on_delete=models.CASCADE, related_name="just_culture")
    classification = models.CharField(max_length=20, choices=Culpability.choices)
    note = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    classified_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Just-culture record of mistake #{self.mistake_id}"


def ensure_vocabulary(using: str = "default") -> None:
    """The default kinds, relation types and factor categories, wherever a list is empty."""
    if not EntityKind.objects.using(using).exists():
        EntityKind.objects.using(using).bulk_create(
            EntityKind(name=name, description=description) for name, description in DEFAULT_KINDS
        )
    if not RelationType.objects.using(using).exists():
        RelationType.objects.using(using).bulk_create(
            RelationType(name=name, flows=flows, description=description)
            for name, flows, description in DEFAULT_RELATION_TYPES
        )
    if not FactorCategory.objects.using(using).exists():
        FactorCategory.objects.using(using).bulk_create(
            FactorCategory(name=name, description=description, position=position)
            for position, (name, description) in enumerate(DEFAULT_FACTOR_CATEGORIES, start=1)
        )
