"""The organisation's figures: how early mistakes are owned, how fast they are contained and fixed,
whether the fixes hold, and where mistakes come from, over time.

Every figure counts only the mistakes the viewer may see (``Mistake.objects.visible_to``) that
were reported in the period, so a confidential mistake never shows in an outsider's numbers.
The web page, ``GET /api/v1/stats`` and ``ownup stats`` all call :func:`compute`. The figures are
defined in docs/insights.md.

The work is done by the database in a few grouped queries, so the page stays quick over a
million mistakes: one pass over the mistakes for every figure and count, one over their tags,
one for recurrences.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Count, F, Func, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ownup.insights.seams import seams
from ownup.organisation.models import Severity, Team
from ownup.reporting.models import Mistake, Stage, Tag
from ownup.reporting.services import InvalidInput

BUCKETS = ("week", "month")
RECURRENCE_WINDOW_DAYS = 90
TOP_TAGS = 8
NO_TEAM = "No team"
MAX_PERIOD_DAYS = 20 * 366
EARLIEST, LATEST = date(1900, 1, 1), date(9000, 12, 31)


class Seconds(Func):
    """Seconds from ``start`` to ``end`` computed by the database itself (no Python per row)."""

    arity = 2

    def __init__(self, start: str, end: str) -> None:
        from django.db.models import FloatField

        super().__init__(F(start), F(end), output_field=FloatField())

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra,
        )


def seconds_between(start: str, end: str) -> Seconds:
    # julianday(end) - julianday(start) and (end - start): the expressions go in as (end, start).
    return Seconds(end, start)


class Bucket(Func):
    """The first day of the week (Monday) or month a moment falls in, as text YYYY-MM-DD (UTC)."""

    def __init__(self, column: str, kind: str) -> None:
        from django.db.models import CharField

        self.kind = kind
        super().__init__(F(column), output_field=CharField())

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = bucket_sql("%(expressions)s", self.kind, "sqlite").replace("%Y-%m", "%%Y-%%m")
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = bucket_sql("%(expressions)s", self.kind, "postgresql")
        return self.as_sql(compiler, connection, template=template, **extra)


def bucket_sql(column: str, kind: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"to_char(date_trunc('{kind}', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"
    if kind == "week":
        return f"date({column}, 'weekday 0', '-6 days')"
    return f"strftime('%Y-%m-01', {column})"


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

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        return [
            (bucket, [values[index] for values in self.series.values()])
            for index, bucket in enumerate(self.buckets)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "totals": self.totals, "series": self.series}


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
    mistakes = in_scope(user, filters)
    buckets = bucket_starts(filters)
    rows = _grouped(mistakes, filters, user)
    if not seams.linked_recurrence:
        rows.extend(
            {"bucket": bucket, "recurrent_n": count}
            for bucket, count in _recurrences_per_bucket(user, filters).items()
        )
    figures = _figures(rows, buckets)
    breakdowns = [
        _breakdown(rows, buckets, "stage", "By stage", _stage_names()),
        _breakdown(rows, buckets, "severity", "By severity", _severity_names()),
        _breakdown(rows, buckets, "team", "By team", _team_names()),
        _tag_breakdown(mistakes, filters, buckets),
    ]
    overdue = seams.overdue_actions(mistakes) if seams.overdue_actions else None
    return Stats(
        filters=filters,
        buckets=buckets,
        reported=sum(r.get("n", 0) for r in rows),
        figures=figures,
        breakdowns=breakdowns,
        overdue_actions=overdue,
    )


def _grouped(
    mistakes: QuerySet[Mistake], filters: Filters, user: User | AnonymousUser
) -> list[dict[str, Any]]:
    linked: dict[str, Any] = {}
    if seams.linked_recurrence:
        # Linked and same-tag recurrences may be the same mistake: count it once, row by row.
        sql, params = _recurrence_sql(user, filters)
        recurrent = Q(pk__in=RawSQL(f"SELECT mistake_id FROM ({sql}) AS r", params))
        linked["recurrent_n"] = Count("pk", filter=recurrent | seams.linked_recurrence())
    grouped: Any = (
        mistakes.order_by()
        .annotate(bucket=Bucket("reported_at", filters.bucket))
        .values("bucket", "stage", "severity_id", "team_id")
        .annotate(
            n=Count("pk"),
            self_n=Count("pk", filter=Q(discovered_by="self")),
            noticed_n=Count("pk", filter=Q(noticed_at__isnull=False)),
            report_s=Sum(seconds_between("noticed_at", "reported_at")),
            contained_n=Count("pk", filter=Q(contained_at__isnull=False)),
            contain_s=Sum(seconds_between("reported_at", "contained_at")),
            fixed_n=Count("pk", filter=Q(fixed_at__isnull=False)),
            fix_s=Sum(seconds_between("reported_at", "fixed_at")),
            verified_n=Count("pk", filter=Q(fixed_at__isnull=False) & seams.verified_effective()),
            **linked,
        )
    )
    return list(grouped)


def _recurrence_sql(user: User | AnonymousUser, filters: Filters) -> tuple[str, tuple[Any, ...]]:
    """The recurrences among the mistakes in scope, as (mistake_id, reported_at) rows.

    A mistake recurs when an earlier mistake the viewer can see, of the same team, carries the
    same set of tags and was reported at most RECURRENCE_WINDOW_DAYS before it."""
    earlier = Mistake.objects.visible_to(user).filter(
        reported_at__gte=filters.start_at - timedelta(days=RECURRENCE_WINDOW_DAYS),
        reported_at__lt=filters.end_before,
    )
    if filters.team:
        earlier = earlier.filter(team__slug=filters.team)
    earlier_sql, params = earlier.order_by().values("pk").query.sql_with_params()
    # A set of up to three tags is named exactly by its size, smallest, largest and sum; the sum
    # of squares keeps larger sets apart. LAG finds the previous mistake with the same set.
    gap = (
        "EXTRACT(EPOCH FROM (reported_at - previous))"
        if connection.vendor == "postgresql"
        else "(julianday(reported_at) - julianday(previous)) * 86400.0"
    )
    mistakes = Mistake._meta.db_table
    tags = Mistake.tags.through._meta.db_table
    sql = f"""
        SELECT mistake_id, reported_at FROM (
            SELECT mistake_id, reported_at, LAG(reported_at) OVER (
                PARTITION BY team_key, n, lo, hi, total, squares
                ORDER BY reported_at, mistake_id
            ) AS previous
            FROM (
                SELECT t.mistake_id, m.reported_at, COALESCE(m.team_id, 0) AS team_key,
                       COUNT(*) AS n, MIN(t.tag_id) AS lo, MAX(t.tag_id) AS hi,
                       SUM(t.tag_id) AS total, SUM(t.tag_id * t.tag_id) AS squares
                FROM {tags} t JOIN {mistakes} m ON m.id = t.mistake_id
                WHERE t.mistake_id IN ({earlier_sql})
                GROUP BY t.mistake_id, m.reported_at, m.team_id
            ) AS signatures
        ) AS ordered
        WHERE previous IS NOT NULL AND {gap} <= %s AND reported_at >= %s
    """
    start = connection.ops.adapt_datetimefield_value(filters.start_at)
    return sql, (*params, RECURRENCE_WINDOW_DAYS * 86400, start)


def _recurrences_per_bucket(user: User | AnonymousUser, filters: Filters) -> dict[str, int]:
    sql, params = _recurrence_sql(user, filters)
    bucket = bucket_sql("reported_at", filters.bucket, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {bucket} AS bucket, COUNT(*) FROM ({sql}) AS r GROUP BY bucket", params
        )
        return {str(day): int(count) for day, count in cursor.fetchall()}


def _share(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _mean(total_seconds: float | None, count: int, per: float) -> float | None:
    return round(total_seconds / count / per, 2) if count and total_seconds is not None else None


HOUR = 3600.0
DAY = 86400.0

# key, label, unit, better, numerator, denominator, per (for means), definition
_FIGURES: list[tuple[str, str, str, str, str, str, float | None, str]] = [
    (
        "time_to_report",
        "Time from noticing to reporting",
        "hours",
        "lower",
        "report_s",
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
        "contain_s",
        "contained_n",
        HOUR,
        "Mean hours from the report to containment, over the mistakes contained so far.",
    ),
    (
        "time_to_fix",
        "Time to fix",
        "days",
        "lower",
        "fix_s",
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
    per_bucket: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    overall: dict[str, float] = defaultdict(float)
    for row in rows:
        for name, value in row.items():
            if name.endswith(("_n", "_s")) or name == "n":
                per_bucket[row["bucket"]][name] += value or 0
                overall[name] += value or 0
    figures = []
    for key, label, unit, better, top, bottom, per, definition in _FIGURES:

        def value(
            sums: dict[str, float], top: str = top, bottom: str = bottom, per: Any = per
        ) -> float | None:
            if per is None:
                return _share(sums[top], sums[bottom])
            return _mean(sums[top], int(sums[bottom]), per)

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


def _tag_breakdown(mistakes: QuerySet[Mistake], filters: Filters, buckets: list[str]) -> Breakdown:
    Through = Mistake.tags.through
    rows: Any = (
        Through.objects.order_by()  # type: ignore[misc]
        .filter(mistake__in=mistakes.values("pk"))
        .annotate(bucket=Bucket("mistake__reported_at", filters.bucket))
        .values("bucket", "tag_id")
        .annotate(n=Count("pk"))
    )
    per_tag: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        per_tag[row["tag_id"]][row["bucket"]] = row["n"]
    totals = {tag_id: sum(counts.values()) for tag_id, counts in per_tag.items()}
    ids = sorted(totals, key=lambda tag_id: (-totals[tag_id], tag_id))[:TOP_TAGS]
    names = dict(Tag.objects.filter(pk__in=ids).values_list("pk", "name"))
    return Breakdown(
        key="tag",
        label=f"By tag (the {TOP_TAGS} most used)",
        totals={names[i]: totals[i] for i in ids},
        series={names[i]: [per_tag[i].get(b, 0) for b in buckets] for i in ids},
        buckets=buckets,
    )
