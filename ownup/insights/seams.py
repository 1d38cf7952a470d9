"""Where later stages' apps feed the dashboard without the dashboard knowing their models.

The monitoring app says which mistakes were verified effective, the fixes app counts overdue
actions, understanding names the categories of each mistake's contributing factors, and any app
may link a mistake as a recurrence of another. Each registers a function in
its ``AppConfig.ready()``; until one does, the dashboard uses the stated default.

The two conditions and the categories of a mistake's factors are read when a mistake is counted
into the dashboard's totals (``ownup.insights.totals``), in the transaction that changed it. An
app whose answer for a mistake changes without a change to the mistake itself calls
``ownup.reporting.changes.mistakes_changed`` with its id, in the same transaction. (Monitoring
records a closure while the mistake moves to Closed, before the move is counted.)
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from ownup.reporting.models import Mistake

VerifiedEffective = Callable[[], Q]
"""A condition on Mistake rows: the fix was verified effective (may use ``Exists``)."""

LinkedRecurrence = Callable[[], Q]
"""A condition on Mistake rows: the mistake is linked as a recurrence of another."""

OverdueActions = Callable[[QuerySet[Mistake]], int]
"""How many open actions of these mistakes are past their due date."""


@dataclass(frozen=True)
class FactorCategories:
    """The categories of mistakes' contributing factors, which the dashboard counts."""

    factors: Callable[[], QuerySet[Any]]
    """Every contributing factor, as rows with ``mistake_id`` and ``category_id``."""
    names: Callable[[Collection[int]], dict[int, str]]
    """The names of these categories, by id."""


def closed_counts_as_verified() -> Q:
    # Until monitoring records a verified outcome, a closed mistake is the best evidence we have.
    return Q(closed_at__isnull=False)


@dataclass
class _Seams:
    verified_effective: VerifiedEffective = closed_counts_as_verified
    linked_recurrence: LinkedRecurrence | None = None
    overdue_actions: OverdueActions | None = None
    factor_categories: FactorCategories | None = None


seams = _Seams()


def provide_verified_effective(condition: VerifiedEffective) -> None:
    seams.verified_effective = condition


def provide_linked_recurrence(condition: LinkedRecurrence) -> None:
    seams.linked_recurrence = condition


def provide_overdue_actions(counter: OverdueActions) -> None:
    seams.overdue_actions = counter


def provide_factor_categories(categories: FactorCategories) -> None:
    seams.factor_categories = categories
