"""The one shape of a benchmark row, shared by every row module and the runner.

A row module (``bench/<name>.py``) exposes ``run(quick: bool) -> list[Row]``. The runner calls it
in a process of its own whose Django is already set up on the module's own data directory
(``var/bench/<name>/``, SQLite, migrated), prints its rows in the table and writes them to
``var/bench/latest.json``.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable
from typing import NotRequired, TypedDict


class Row(TypedDict):
    """One line of the table: a workload's figure beside its ceiling measured in the same run.

    ``figure`` and ``ceiling`` are medians in ``unit``; ``ratio`` is figure / ceiling (None when
    there is no ceiling); ``target`` says in words what the figure must reach and ``ok`` whether
    it did (None when the row has no target, or could not be measured).
    """

    workload: str
    figure: float | None
    unit: str
    ceiling: float | None
    ratio: float | None
    target: str
    ok: bool | None
    # Why a row has no figure ("not built", "no PostgreSQL at ...") or what else it found.
    note: NotRequired[str]


def row(
    workload: str,
    figure: float | None,
    unit: str,
    *,
    ceiling: float | None = None,
    target: str = "",
    ok: bool | None = None,
    note: str = "",
) -> Row:
    """A row with its ratio worked out; ``ok`` stays None when no target was given."""
    ratio = figure / ceiling if figure is not None and ceiling else None
    made = Row(
        workload=workload,
        figure=figure,
        unit=unit,
        ceiling=ceiling,
        ratio=ratio,
        target=target,
        ok=ok,
    )
    if note:
        made["note"] = note
    return made


def not_built(workload: str, target: str = "", note: str = "not built") -> Row:
    """The row of a feature that does not exist yet: it is shown, never a failure."""
    return row(workload, None, "", target=target, note=note)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def percentile(values: Iterable[float], share: float) -> float:
    """The value below which ``share`` (0-1) of the values lie, by the nearest rank."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values to take a percentile of")
    rank = max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))
    return ordered[rank]


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Seconds each of ``repeat`` runs of ``action`` took."""
    took = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        took.append(time.perf_counter() - start)
    return took
