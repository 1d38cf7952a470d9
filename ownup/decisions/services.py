"""The rules of deciding: options scored on the organisation's weighted criteria, a ranking
computed from them, and the choice with its reason (revisiting it keeps the history).

How the ranking is computed, so anyone can check it by hand:

- each score is a whole number from 1 to 5;
- it is normalised to 0..1 as (score - 1) / 4, and turned round, 1 - that, for the criteria
  where lower is better (effort, risk, time, cost), so 1 is always the best;
- an option's total is the weighted mean of its normalised scores over the criteria it has been
  scored on, times 100: 0 is the worst possible, 100 the best;
- options are ranked by total (highest first), then by how many criteria they were scored on,
  then by title; an option not scored at all comes last, with no total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ownup.containment.services import refuse_null_characters
from ownup.decisions.models import (
    SCORE_MAX,
    SCORE_MIN,
    WEIGHT_MAX,
    Criterion,
    Decision,
    Option,
    Score,
    Strength,
)
from ownup.reporting.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Mistake, TimelineEntry
from ownup.reporting.services import AnyUser, InvalidInput, NotAllowed, NotFound, can_act

WEAK_WARNING = (
    "The chosen fix relies on people being careful (training, reminders): weak actions rarely "
    "stop a mistake from happening again. Add a strong one (a forcing function, a system "
    "change) or a medium one (a checklist, a review)."
)


def criteria() -> QuerySet[Criterion]:
    return Criterion.objects.in_use()


def _weight(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput({"weight": [f"Give a whole number from 0 to {WEIGHT_MAX}."]})
    try:
        weight = int(value)
    except ValueError:
        raise InvalidInput({"weight": [f"Give a whole number from 0 to {WEIGHT_MAX}."]}) from None
    if not 0 <= weight <= WEIGHT_MAX:
        raise InvalidInput({"weight": [f"A weight is from 0 to {WEIGHT_MAX}; {weight} is not."]})
    return weight


def set_weight(criterion_key: str, weight: Any, *, actor: AnyUser) -> Criterion:
    """Change how much a criterion counts in every ranking (admins only)."""
    if not getattr(actor, "is_superuser", False):
        raise NotAllowed("only admins change the organisation's criteria")
    criterion = get_criterion(criterion_key)
    criterion.weight = _weight(weight)
    criterion.save(update_fields=["weight"])
    return criterion


def get_criterion(key: str) -> Criterion:
    try:
        if "\x00" in key:
            raise Criterion.DoesNotExist
        return criteria().get(key=key)
    except Criterion.DoesNotExist:
        known = ", ".join(criteria().values_list("key", flat=True))
        raise NotFound(f"no criterion {key!r}; the criteria are {known}") from None


def _require_actor(user: AnyUser, mistake: Mistake, doing: str) -> None:
    if not can_act(user, mistake):
        raise NotAllowed(f"only the mistake's people, its team's responders and admins may {doing}")


def _scores(given: Mapping[str, Any] | None) -> dict[Criterion, int]:
    """Check scores given by criterion key, all of them, before anything is written."""
    if not given:
        return {}
    if not isinstance(given, Mapping):
        raise InvalidInput({"scores": ["Give scores as criterion: score, for example risk: 2."]})
    by_key = {c.key: c for c in criteria()}
    errors: dict[str, list[str]] = {}
    checked: dict[Criterion, int] = {}
    for key, value in given.items():
        if key not in by_key:
            errors[str(key)] = [f"Not a criterion; the criteria are {', '.join(by_key)}."]
            continue
        number = value
        if isinstance(value, str) and value.strip().isdigit():
            number = int(value)
        if isinstance(number, bool) or not isinstance(number, int):
            errors[key] = [f"A score is a whole number from {SCORE_MIN} to {SCORE_MAX}."]
        elif not SCORE_MIN <= number <= SCORE_MAX:
            errors[key] = [f"A score is from {SCORE_MIN} to {SCORE_MAX}; {number} is not."]
        else:
            checked[by_key[key]] = number
    if errors:
        raise InvalidInput(errors)
    return checked


def add_option(
    mistake: Mistake,
    *,
    actor: AnyUser,
    title: str,
    strength: str,
    description: str = "",
    scores: Mapping[str, Any] | None = None,
) -> Option:
    """Add a candidate fix, optionally scored at once."""
    _require_actor(actor, mistake, "add options")
    refuse_null_characters({"title": title, "description": description})
    errors: dict[str, list[str]] = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = ["Name the option in a few words."]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [f"Keep it under {TITLE_MAX_LENGTH} characters."]
    elif mistake.options.filter(title__iexact=title).exists():
        errors["title"] = [f"This mistake already has an option called {title!r}."]
    if strength not in Strength.values:
        errors["strength"] = [f"Choose one of {', '.join(Strength.values)}."]
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [f"Keep it under {DESCRIPTION_MAX_LENGTH} characters."]
    try:
        checked = _scores(scores)
    except InvalidInput as problem:
        errors.update(problem.errors)
    if errors:
        raise InvalidInput(errors)
    user = actor if isinstance(actor, User) else None
    try:
        with transaction.atomic():
            option = Option.objects.create(
                mistake=mistake,
                title=title,
                strength=strength,
                description=description,
                author=user,
            )
            Score.objects.bulk_create(
                Score(option=option, criterion=c, value=v) for c, v in checked.items()
            )
            _story(mistake, user, f"Option for the fix: {title} ({option.strength_word})")
    except IntegrityError:
        # Two people adding the same title at once: the database's rule catches the second.
        raise InvalidInput(
            {"title": [f"This mistake already has an option called {title!r}."]}
        ) from None
    return option


def get_option(mistake: Mistake, option_id: Any) -> Option:
    try:
        return mistake.options.get(pk=int(option_id))
    except (Option.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"no option #{option_id} on mistake #{mistake.pk}") from None


def score(option: Option, scores: Mapping[str, Any], *, actor: AnyUser) -> Option:
    """Set some of an option's scores; all are checked before any is written."""
    _require_actor(actor, option.mistake, "score options")
    checked = _scores(scores)
    if not checked:
        raise InvalidInput({"scores": ["Give at least one score, for example risk=2."]})
    with transaction.atomic():
        for criterion, value in checked.items():
            Score.objects.update_or_create(
                option=option, criterion=criterion, defaults={"value": value}
            )
    return option


@dataclass(frozen=True)
class Cell:
    criterion: Criterion
    value: int | None


@dataclass(frozen=True)
class Ranked:
    rank: int
    option: Option
    cells: list[Cell]
    total: float | None

    @property
    def scored(self) -> int:
        return sum(1 for c in self.cells if c.value is not None)

    @property
    def complete(self) -> bool:
        return all(c.value is not None for c in self.cells)


def normalised(criterion: Criterion, value: int) -> float:
    """A score on 0..1 where 1 is always the best."""
    share = (value - SCORE_MIN) / (SCORE_MAX - SCORE_MIN)
    return 1 - share if criterion.lower_is_better else share


def total(values: Mapping[Criterion, int]) -> float | None:
    weights = sum(c.weight for c in values)
    if not values:
        return None
    if weights == 0:
        return 0.0
    return round(100 * sum(c.weight * normalised(c, v) for c, v in values.items()) / weights, 1)


def ranking(mistake: Mistake) -> list[Ranked]:
    all_criteria = list(criteria())
    options = list(mistake.options.prefetch_related("scores"))
    rows = []
    for option in options:
        given = {s.criterion_id: s.value for s in option.scores.all()}
        cells = [Cell(c, given.get(c.pk)) for c in all_criteria]
        values = {c.criterion: c.value for c in cells if c.value is not None}
        rows.append((option, cells, total(values)))
    rows.sort(
        key=lambda row: (
            row[2] is None,
            -(row[2] or 0),
            -sum(1 for c in row[1] if c.value is not None),
            row[0].title.lower(),
        )
    )
    return [Ranked(n, option, cells, t) for n, (option, cells, t) in enumerate(rows, start=1)]


def decide(mistake: Mistake, *, actor: AnyUser, option_id: Any, rationale: str) -> Decision:
    """Choose an option, with why. Choosing again revisits the decision: the earlier one stays."""
    _require_actor(actor, mistake, "decide")
    refuse_null_characters({"rationale": rationale})
    errors: dict[str, list[str]] = {}
    option = None
    try:
        option = get_option(mistake, option_id)
    except NotFound as missing:
        errors["option"] = [f"{str(missing).capitalize()}."]
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = ["Say why this option: the reason is what the next person reads."]
    elif len(rationale) > DESCRIPTION_MAX_LENGTH:
        errors["rationale"] = [f"Keep it under {DESCRIPTION_MAX_LENGTH} characters."]
    if errors or option is None:
        raise InvalidInput(errors)
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        revisiting = mistake.decisions.exists()
        decision = Decision.objects.create(
            mistake=mistake, option=option, rationale=rationale, decided_by=user
        )
        verb = "Revisited the decision: chose" if revisiting else "Chose"
        _story(mistake, user, f"{verb} {option.title}: {rationale}")
    return decision


def current_decision(mistake: Mistake) -> Decision | None:
    return (
        mistake.decisions.select_related("option", "decided_by").order_by("decided_at", "pk").last()
    )


def history(mistake: Mistake) -> QuerySet[Decision]:
    return mistake.decisions.select_related("option", "decided_by").order_by("decided_at", "pk")


def strength_warning(mistake: Mistake) -> str | None:
    """A warning when the chosen fix has only weak actions."""
    decision = current_decision(mistake)
    if decision is not None and decision.option.strength == Strength.WEAK:
        return WEAK_WARNING
    return None


STRENGTH_ORDER = {Strength.WEAK: 0, Strength.MEDIUM: 1, Strength.STRONG: 2}


@dataclass(frozen=True)
class Stronger:
    """The options stronger than the chosen one, or than the one ranked first before a choice:
    cheap and quick often outscore the fix that stops a mistake coming back."""

    than: Option
    chosen: bool
    options: list[Option]


def stronger_options(ranking: Sequence[Ranked], current: Decision | None) -> Stronger | None:
    """Measured against ``current``, the mistake's decision (:func:`current_decision`)."""
    # Before a choice, the first-ranked counts only once scores have ranked it first.
    scored_first = ranking[0].option if ranking and ranking[0].total is not None else None
    than = current.option if current else scored_first
    if than is None:
        return None
    floor = STRENGTH_ORDER[Strength(than.strength)]
    stronger = [r.option for r in ranking if STRENGTH_ORDER[Strength(r.option.strength)] > floor]
    return Stronger(than, current is not None, stronger) if stronger else None


def _story(mistake: Mistake, actor: User | None, text: str) -> None:
    TimelineEntry.objects.create(
        mistake=mistake, at=timezone.now(), actor=actor, kind=TimelineEntry.Kind.EVENT, text=text
    )
