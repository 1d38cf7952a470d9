"""The organisation's figures: how early mistakes are owned, how fast they are contained and fixed,
whether the fixes hold, and where mistakes come from, over time.

Every figure counts only the mistakes the viewer may see (``Mistake.objects.visible_to``) that
were reported in the period, so a confidential mistake never shows in an outsider's numbers.
The web page, ``GET /api/v1/stats`` and ``ownup stats`` all call :func:`compute`. The figures are
defined in docs/insights.md.

The figures are read from totals kept per day (``ownup.insights.totals``), updated in the
transaction of every change to a mistake, so the page reads a few thousand rows however many
mistakes there are; the confidential mistakes a viewer sees outside those totals are added one
by one.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from ownup.insights import totals
from ownup.insights.seams import seams
from ownup.organisation.models import Severity, Team
from ownup.reporting.models import Mistake, Stage, Tag
from ownup.reporting.services import InvalidInput

BUCKETS = ("week", "month")
RECURRENCE_WINDOW_DAYS = totals.RECURRENCE_WINDOW_DAYS
TOP_TAGS = 8
NO_TEAM = "No team"
MAX_PERIOD_DAYS = 20 * 366
EARLIEST, LATEST = date(1900, 1, 1), date(9000, 12, 31)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    bucket: str = "month"
    team: str = ""

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


def filters_from(
    *,
    months: int | str | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
    bucket: str | None = None,
    team: str | None = None,
) -> Filters:
    """Read the filters as people give them (strings from a form, a query or the command line)."""
    errors: dict[str, list[str]] = {}
    today = timezone.now().astimezone(UTC).date()
    end_date = _date(end, "end", errors) or today
    if not EARLIEST <= end_date <= LATEST:
        errors["end"] = [f"Give a date from {EARLIEST} to {LATEST}."]
        end_date = today
    if start:
        start_date = _date(start, "start", errors) or today
    else:
        try:
            count = int(months or 12)
            if not 1 <= count <= 120:
                raise ValueError
        except (TypeError, ValueError):
            errors["months"] = ["Give a number of months from 1 to 120."]
            count = 12
        start_date = _months_before(end_date, count - 1).replace(day=1)
    if start_date > end_date:
        errors["start"] = ["The period starts after it ends."]
    elif (end_date - start_date).days > MAX_PERIOD_DAYS:
        errors["start"] = ["A period is at most 20 years long."]
    if not EARLIEST <= start_date <= LATEST:
        errors["start"] = [f"Give a date from {EARLIEST} to {LATEST}."]
    kind = bucket or "month"
    if kind not in BUCKETS:
        errors["bucket"] = [f"Choose one of: {', '.join(BUCKETS)}."]
    slug = (team or "").strip()
    if slug and not Team.objects.filter(slug=slug).exists():
        errors["team"] = [f"No team {slug!r}."]
    if errors:
        raise InvalidInput(errors)
    return Filters(start=start_date, end=end_date, bucket=kind, team=slug)


def _date(value: str | date | None, name: str, errors: dict[str, list[str]]) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = [f"{value!r} is not a date such as 2026-03-01."]
        return None


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def bucket_starts(filters: Filters) -> list[str]:
    """Every bucket of the period, empty ones included, so charts show gaps as gaps."""
    if filters.bucket == "week":
        current = filters.start - timedelta(days=filters.start.weekday())
        step = lambda d: d + timedelta(days=7)  # noqa: E731
    else:
        current = filters.start.replace(day=1)
        step = lambda d: _months_before(d, -1)  # noqa: E731
    starts = []
    while current <= filters.end:
        starts.append(current.isoformat())
        current = step(current)
    return starts


@dataclass
class Figure:
    key: str
    label: str
    unit: str
    value: float | None
    series: list[float | None]
    definition: str
    better: str  # "lower" or "higher"
    buckets: list[str]

    @property
    def rows(self) -> list[tuple[str, float | None]]:
        return list(zip(self.buckets, self.series, strict=True))

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "unit": self.unit,
            "value": self.value,
            "series": self.series,
            "definition": self.definition,
            "better": self.better,
        }


@dataclass
class Breakdown:
    """Counts of mistakes reported per bucket, split by one dimension."""

    key: str
    label: str
    totals: dict[str, int]
    series: dict[str, list[int]]
    buckets: list[str]
    # "over time": a stacked bar a bucket; "totals": one bar a name, for many names that would
    # tangle over time.
    shape: str = "over time"

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        return [
            (bucket, [values[index] for values in self.series.values()])
            for index, bucket in enumerate(self.buckets)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "totals": self.totals,
            "series": self.series,
            "shape": self.shape,
        }


@dataclass
class Stats:
    filters: Filters
    buckets: list[str]
    reported: int
    figures: list[Figure]
    breakdowns: list[Breakdown]
    overdue_actions: int | None
    notes: list[str] = field(default_factory=list)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "filters": {
                "start": self.filters.start.isoformat(),
                "end": self.filters.end.isoformat(),
                "bucket": self.filters.bucket,
                "team": self.filters.team or None,
            },
            "buckets": self.buckets,
            "reported": self.reported,
            "figures": {f.key: f.as_dict() for f in self.figures},
            "counts": {b.key: b.as_dict() for b in self.breakdowns},
            "overdue_actions": self.overdue_actions,
        }


def in_scope(user: User | AnonymousUser, filters: Filters) -> QuerySet[Mistake]:
    """The mistakes the figures count: visible to this person, reported in the period."""
    mistakes = Mistake.objects.visible_to(user).filter(
        reported_at__gte=filters.start_at, reported_at__lt=filters.end_before
    )
    if filters.team:
        mistakes = mistakes.filter(team__slug=filters.team)
    return mistakes


def compute(user: User | AnonymousUser, filters: Filters) -> Stats:
    buckets = bucket_starts(filters)
    rows: list[totals.FigureRow] = []
    tags: list[tuple[str, int, int]] = []
    categories: list[tuple[str, int, int]] = []
    who = totals.viewer(user)
    if who is not None:
        scope = totals.Scope(filters.start, filters.end, _team_key(filters.team))
        rows = totals.figure_rows(who, scope, filters.bucket)
        tags = totals.tag_counts(who, scope, filters.bucket)
        if seams.factor_categories:
            categories = totals.category_counts(who, scope, filters.bucket)
    figures = _figures(rows, buckets)
    breakdowns = [
        _breakdown(rows, buckets, "stage", "By stage", _stage_names()),
        _breakdown(rows, buckets, "severity", "By severity", _severity_names()),
        _breakdown(rows, buckets, "team", "By team", _team_names()),
        _tag_breakdown(tags, buckets),
    ]
    if seams.factor_categories:
        breakdowns.append(_factor_breakdown(categories, buckets, seams.factor_categories.names))
    overdue = seams.overdue_actions(in_scope(user, filters)) if seams.overdue_actions else None
    return Stats(
        filters=filters,
        buckets=buckets,
        reported=sum(r.get("n", 0) for r in rows),
        figures=figures,
        breakdowns=breakdowns,
        overdue_actions=overdue,
    )


def _team_key(slug: str) -> int | None:
    if not slug:
        return None
    # A team that does not exist has no mistakes: no id matches it.
    return Team.objects.filter(slug=slug).values_list("pk", flat=True).first() or -1


def _share(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _mean(total_us: int, count: int, per: float) -> float | None:
    return round(total_us / 1_000_000 / count / per, 2) if count else None


HOUR = 3600.0
DAY = 86400.0

# key, label, unit, better, numerator, denominator, per (for means), definition
_FIGURES: list[tuple[str, str, str, str, str, str, float | None, str]] = [
    (
        "time_to_report",
        "Time from noticing to reporting",
        "hours",
        "lower",
        "report_us",
        "noticed_n",
        HOUR,
        "Mean hours from when a mistake was noticed to when it was reported, over the "
        "mistakes that say when they were noticed.",
    ),
    (
        "self_disclosed",
        "Self-disclosed",
        "%",
        "higher",
        "self_n",
        "n",
        None,
        "Share of mistakes found and reported by the person who made them.",
    ),
    (
        "time_to_contain",
        "Time to contain",
        "hours",
        "lower",
        "contain_us",
        "contained_n",
        HOUR,
        "Mean hours from the report to containment, over the mistakes contained so far.",
    ),
    (
        "time_to_fix",
        "Time to fix",
        "days",
        "lower",
        "fix_us",
        "fixed_n",
        DAY,
        "Mean days from the report to the real fix, over the mistakes fixed so far.",
    ),
    (
        "verified_effective",
        "Fixes verified effective",
        "%",
        "higher",
        "verified_n",
        "fixed_n",
        None,
        "Share of fixed mistakes whose fix was verified effective by monitoring "
        "(until monitoring records outcomes: closed after the fix).",
    ),
    (
        "recurrence",
        "Recurrence rate",
        "%",
        "lower",
        "recurrent_n",
        "n",
        None,
        f"Share of mistakes that recur: an earlier mistake of the same team has the same tags "
        f"and was reported at most {RECURRENCE_WINDOW_DAYS} days before, or it is linked as a "
        "recurrence of another.",
    ),
]


def _figures(rows: list[dict[str, Any]], buckets: list[str]) -> list[Figure]:
    # Whole numbers (counts, microseconds) all the way: the sums are exact.
    per_bucket: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    overall: dict[str, int] = defaultdict(int)
    for row in rows:
        for name, value in row.items():
            if name.endswith(("_n", "_us")) or name == "n":
                per_bucket[row["bucket"]][name] += value
                overall[name] += value
    figures = []
    for key, label, unit, better, top, bottom, per, definition in _FIGURES:

        def value(
            sums: dict[str, int], top: str = top, bottom: str = bottom, per: Any = per
        ) -> float | None:
            if per is None:
                return _share(sums[top], sums[bottom])
            return _mean(sums[top], sums[bottom], per)

        figures.append(
            Figure(
                key=key,
                label=label,
                unit=unit,
                value=value(overall),
                series=[value(per_bucket[b]) if b in per_bucket else None for b in buckets],
                definition=definition,
                better=better,
                buckets=buckets,
            )
        )
    return figures


def _stage_names() -> dict[Any, str]:
    return {stage.value: stage.label for stage in Stage}


def _severity_names() -> dict[Any, str]:
    return dict(Severity.objects.values_list("pk", "name"))


def _team_names() -> dict[Any, str]:
    return {None: NO_TEAM, **dict(Team.objects.values_list("pk", "name"))}


_DIMENSION_COLUMN = {"stage": "stage", "severity": "severity_id", "team": "team_id"}


def _breakdown(
    rows: list[dict[str, Any]], buckets: list[str], key: str, label: str, names: dict[Any, str]
) -> Breakdown:
    column = _DIMENSION_COLUMN[key]
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if "n" in row:  # not the recurrences' own rows
            counts[names.get(row[column], str(row[column]))][row["bucket"]] += row["n"]
    order = list(dict.fromkeys(names.values()))
    present = [name for name in order if name in counts] + sorted(set(counts) - set(order))
    return Breakdown(
        key=key,
        label=label,
        totals={name: sum(counts[name].values()) for name in present},
        series={name: [counts[name].get(b, 0) for b in buckets] for name in present},
        buckets=buckets,
    )


def _factor_breakdown(
    counts: list[tuple[str, int, int]],
    buckets: list[str],
    names_of: Callable[[Collection[int]], dict[int, str]],
) -> Breakdown:
    per_id: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for bucket, category_id, count in counts:
        per_id[category_id][bucket] += count
    known = names_of(per_id)
    per_category = {known.get(i, f"#{i}"): per_id[i] for i in per_id}
    names = sorted(per_category, key=lambda name: (-sum(per_category[name].values()), name))
    return Breakdown(
        key="factor",
        label="By contributing factor",
        totals={name: sum(per_category[name].values()) for name in names},
        series={name: [per_category[name].get(b, 0) for b in buckets] for name in names},
        buckets=buckets,
        shape="totals",
    )


def _tag_breakdown(counts: list[tuple[str, int, int]], buckets: list[str]) -> Breakdown:
    per_tag: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for bucket, tag_id, count in counts:
        per_tag[tag_id][bucket] += count
    totals_ = {tag_id: sum(counts.values()) for tag_id, counts in per_tag.items()}
    ids = sorted(totals_, key=lambda tag_id: (-totals_[tag_id], tag_id))[:TOP_TAGS]
    names = dict(Tag.objects.filter(pk__in=ids).values_list("pk", "name"))
    return Breakdown(
        key="tag",
        label=f"By tag (the {TOP_TAGS} most used)",
        totals={names[i]: totals_[i] for i in ids},
        series={names[i]: [per_tag[i].get(b, 0) for b in buckets] for i in ids},
        buckets=buckets,
        shape="totals",
    )
