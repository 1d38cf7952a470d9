"""The dashboard's kept totals: the counts and sums every figure is made of, per day, team,
audience, stage and severity, kept up to date in the transaction of every change to a mistake.

Four tables (``ownup.insights.models``):

- ``CountedMistake``: what each mistake adds, as it was last counted, so a change takes away
  exactly what the mistake added before; and its place (team, tag set, report time) so that
  recurrences are found by an index.
- ``DayTotal``: per day, team, audience, stage and severity, the sums of those rows.
- ``DayTagTotal``: per day, team, audience and tag, how many mistakes carry the tag.
- ``DayCategoryTotal``: the same per category of contributing factor, each mistake once in a
  category.

**Audience.** Open and anonymous mistakes are seen by everyone; team-confidential ones by the
members of their team. Both are kept in the day totals, apart, and a viewer reads the first and
the second of their own teams. Restricted mistakes (and team-confidential ones without a team)
are in no day total: the few a viewer may see, and the team-confidential mistakes of other
teams they see as reporter or owner, are read one by one (:func:`insiders`) and added.

**Recurrence** depends on what the viewer may see: a mistake recurs when an earlier mistake *the
viewer can see*, of the same team, has the same tags and was reported at most 90 days before.
Each counted mistake keeps two answers: through an earlier mistake everyone may see, and through
one its team's members may see (open or of its team). A viewer counts the second for the mistakes
of their teams and the first for the others; the earlier mistakes they see only as insiders
are added by :func:`recurrences_through_insiders`. Whether a mistake recurs changes when an
earlier one appears, moves or disappears, so a change also recounts the later mistakes of the
same team and tags within 90 days of the old and the new place.

Whatever writes mistakes calls ``ownup.reporting.changes.mistakes_changed``, whose listener here
is :func:`refresh`; an import counts the rows it has just written with :func:`count_inserted`
instead, without reading them back. ``ownup stats --rebuild`` (:func:`rebuild`) recounts
everything.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from typing import Any, NamedTuple

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)

from ownup.insights.models import (
    Audience,
    CountedMistake,
    DayCategoryTotal,
    DayTagTotal,
    DayTotal,
)
from ownup.insights.seams import seams
from ownup.organisation.models import Membership
from ownup.reporting.models import Confidentiality, DiscoveredBy, Mistake

RECURRENCE_WINDOW_DAYS = 90
WINDOW_US = RECURRENCE_WINDOW_DAYS * 86_400 * 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = EPOCH.toordinal()
DAY_US = 86_400_000_000
# Mistakes read and recounted per round, and rows per statement: well within SQLite's 32 766
# parameters.
ROUND = 5000
ROWS_PER_STATEMENT = 500
# PostgreSQL: one writer of the totals at a time (the last statements of its transaction), so
# two reports of the same kind committed at once both see each other. SQLite's write lock
# already does this.
LOCK_KEY = 0x6F776E75
EVERYONE, TEAM, NAMED = Audience.EVERYONE.value, Audience.TEAM.value, Audience.NAMED.value
OPEN_TO_ALL = (Confidentiality.OPEN.value, Confidentiality.ANONYMOUS.value)


def audience_of(confidentiality: str, team_id: int | None) -> str:
    if confidentiality in OPEN_TO_ALL:
        return EVERYONE
    if confidentiality == Confidentiality.TEAM and team_id:
        return TEAM
    return NAMED


@dataclass(slots=True)
class Counted:
    """One CountedMistake row; the fields in the table's column order.

    Not frozen: a refresh fills in the recurrence of the rows it has just read, thousands at a
    time for an import, and a frozen dataclass makes each of those a new object."""

    mistake_id: int
    day: date
    reported_us: int
    team_key: int
    audience: str
    reporter_id: int | None
    owner_id: int | None
    stage: str
    severity_id: int
    tagset: str
    self_found: bool
    noticed: bool
    report_us: int
    contained: bool
    contain_us: int
    fixed: bool
    fix_us: int
    verified: bool
    linked: bool
    recurs_for_everyone: bool = False
    recurs_for_team: bool = False
    categoryset: str = ""

    @property
    def signature(self) -> tuple[int, str]:
        return (self.team_key, self.tagset)

    @property
    def order(self) -> tuple[int, int]:
        return (self.reported_us, self.mistake_id)

    @property
    def place(self) -> tuple[Any, ...]:
        """What this mistake's own recurrence and that of later ones depend on."""
        return (self.team_key, self.tagset, self.reported_us, self.audience, self.linked)

    @property
    def group(self) -> tuple[date, int, str, str, int]:
        return (self.day, self.team_key, self.audience, self.stage, self.severity_id)

    @property
    def in_day_totals(self) -> bool:
        return self.audience != NAMED

    @property
    def tag_ids(self) -> list[int]:
        return _id_list(self.tagset)

    @property
    def category_ids(self) -> list[int]:
        return _id_list(self.categoryset)

    def sums(self) -> tuple[int, ...]:
        """Its part of each DayTotal sum, in SUMS order."""
        return (
            1,
            int(self.self_found),
            int(self.noticed),
            self.report_us,
            int(self.contained),
            self.contain_us,
            int(self.fixed),
            self.fix_us,
            int(self.verified),
            int(self.recurs_for_everyone),
            int(self.recurs_for_team),
        )

    def without_recurrence(self) -> Counted:
        return replace(self, recurs_for_everyone=False, recurs_for_team=False)


COLUMNS = [f.name for f in fields(Counted)]
_values = attrgetter(*COLUMNS)
GROUP = ("day", "team_key", "audience", "stage", "severity_id")
SUMS = (
    "n",
    "self_n",
    "noticed_n",
    "report_us",
    "contained_n",
    "contain_us",
    "fixed_n",
    "fix_us",
    "verified_n",
    "recurrent_for_everyone_n",
    "recurrent_for_team_n",
)


# Writing ---------------------------------------------------------------------------------------


def refresh(mistake_ids: Iterable[int]) -> None:
    """Recount these mistakes (created, changed or deleted) and what depends on them."""
    ids = sorted(set(mistake_ids))
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        _lock()
        for start in range(0, len(ids), ROUND):
            _refresh(ids[start : start + ROUND])


def rebuild() -> int:
    """Count every mistake again from scratch; returns how many were counted."""
    with transaction.atomic():
        _lock()
        for model in (DayTotal, DayTagTotal, DayCategoryTotal, CountedMistake):
            model.objects.all().delete()
        ids = list(Mistake.objects.order_by("reported_at", "pk").values_list("pk", flat=True))
        for start in range(0, len(ids), ROUND):
            _refresh(ids[start : start + ROUND])
    return len(ids)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def count_inserted(mistakes: Sequence[Inserted]) -> None:
    """Count mistakes a writer has just inserted as rows, from the values it wrote.

    The same count as :func:`refresh`, without reading the rows back: for an import that read
    cost a third of the totals' time. Only what the writer cannot know is asked of the
    database: which fixes the seams call verified, which mistakes they link, and (to stay
    exact should one be there) an earlier count of the same ids."""
    if not mistakes:
        return
    with transaction.atomic(savepoint=False):
        _lock()
        for start in range(0, len(mistakes), ROUND):
            part = mistakes[start : start + ROUND]
            ids = [m.pk for m in part]
            verified = _ids_where(
                [m.pk for m in part if m.fixed_at is not None],
                Q(fixed_at__isnull=False) & seams.verified_effective(),
            )
            linked = (
                _ids_where(ids, seams.linked_recurrence()) if seams.linked_recurrence else set()
            )
            now = {
                m.pk: _counted(
                    m.pk,
                    (m.reported_at - EPOCH) // _ONE_US,
                    _micros(m.noticed_at),
                    m.discovered_by,
                    m.team_id,
                    m.confidentiality,
                    m.reporter_id,
                    m.owner_id,
                    m.stage,
                    m.severity_id,
                    _micros(m.contained_at),
                    _micros(m.fixed_at),
                    tagset=",".join(map(str, sorted(set(m.tag_ids)))),
                    verified=m.pk in verified,
                    linked=m.pk in linked,
                )
                for m in part
            }
            wanted = set(ids)
            before = {
                row[0]: Counted(*row)
                for row in CountedMistake.objects.filter(
                    pk__gte=min(ids), pk__lte=max(ids)
                ).values_list(*COLUMNS)
                if row[0] in wanted
            }
            _recount(sorted(ids), now, before)


class Inserted(NamedTuple):
    """A mistake as a writer of rows inserted it (times aware, tags by id)."""

    pk: int
    reported_at: datetime
    noticed_at: datetime | None
    discovered_by: str
    team_id: int | None
    confidentiality: str
    reporter_id: int | None
    owner_id: int | None
    stage: str
    severity_id: int
    contained_at: datetime | None
    fixed_at: datetime | None
    tag_ids: Sequence[int]


_ONE_US = timedelta(microseconds=1)


def _micros(moment: datetime | None) -> int | None:
    # Whole microseconds since 1970, as Micros has the database work them out from the column.
    return None if moment is None else (moment - EPOCH) // _ONE_US


def _ids_where(ids: list[int], condition: Q) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids, 5000):
        found.update(
            Mistake.objects.filter(condition, pk__in=chunk).order_by().values_list("pk", flat=True)
        )
    return found


def _refresh(ids: list[int]) -> None:
    now, before = _read(ids)
    _recount(ids, now, before)


def _recount(ids: list[int], now: dict[int, Counted], before: dict[int, Counted]) -> None:
    """Write the new counts ``now`` of these ids over their last ones, ``before``."""
    changed: dict[int, Counted] = {}  # the new rows to write, by id
    moved_old: list[Counted] = []  # counted rows whose place goes away
    moved_new: list[Counted] = []  # rows at a new place, whose recurrence is found below
    for pk in ids:
        new, old = now.get(pk), before.get(pk)
        if old is not None and new == old.without_recurrence():
            continue
        if new is not None and old is not None and new.place == old.place:
            # Same place: whether it recurs, and whether later ones do, stays as it was.
            new.recurs_for_everyone = old.recurs_for_everyone
            new.recurs_for_team = old.recurs_for_team
            changed[pk] = new
            continue
        if old is not None:
            moved_old.append(old)
        if new is not None:
            moved_new.append(new)
    if not changed and not moved_old and not moved_new:
        return
    if moved_old:
        _delete_counted([c.mistake_id for c in moved_old])
    # From here the table holds every place but the moved ones; theirs are matched in Python.
    placed = _Places(c for c in moved_new if c.tagset)
    earlier = _earlier_in_table([c for c in moved_new if c.tagset])
    for counted in moved_new:
        in_table = earlier.get(counted.mistake_id, (False, False, False))
        counted.recurs_for_everyone = (
            counted.linked or in_table[0] or placed.recurs(counted, team_members=False)
        )
        counted.recurs_for_team = (
            counted.linked or in_table[1] or placed.recurs(counted, team_members=True)
        )
        changed[counted.mistake_id] = counted
    windows = [c for c in moved_old if c.tagset] + [
        c for c in moved_new if earlier.get(c.mistake_id, (False, False, False))[2]
    ]
    later_changes: list[tuple[Counted, Counted]] = []
    for neighbour, in_table_everyone, in_table_team in _later_in_table(windows):
        fresh = replace(
            neighbour,
            recurs_for_everyone=neighbour.linked
            or in_table_everyone
            or placed.recurs(neighbour, team_members=False),
            recurs_for_team=neighbour.linked
            or in_table_team
            or placed.recurs(neighbour, team_members=True),
        )
        pk = neighbour.mistake_id
        if pk in changed:
            changed[pk].recurs_for_everyone = fresh.recurs_for_everyone
            changed[pk].recurs_for_team = fresh.recurs_for_team
        elif fresh != neighbour:
            later_changes.append((neighbour, fresh))
    _write_counted(list(changed.values()))
    _write_recurrence([fresh for _, fresh in later_changes])
    # Each group's rows are gathered and added up a column at a time once all are known: a
    # large import adds thousands of rows to a few hundred groups.
    parts: dict[tuple[Any, ...], list[tuple[int, ...]]] = defaultdict(list)
    tags: dict[tuple[Any, ...], int] = defaultdict(int)
    categories: dict[tuple[Any, ...], int] = defaultdict(int)
    id_lists = _IdLists()
    for pk in {c.mistake_id for c in moved_old} | set(changed):
        for side, sign in ((before.get(pk), -1), (changed.get(pk), 1)):
            if side is None or not side.in_day_totals:
                continue
            parts[side.group].append(side.sums() if sign > 0 else _negated(side.sums()))
            for tag_id in id_lists[side.tagset]:
                tags[(side.day, side.team_key, side.audience, tag_id)] += sign
            for category_id in id_lists[side.categoryset]:
                categories[(side.day, side.team_key, side.audience, category_id)] += sign
    for was, now_ in later_changes:
        if was.in_day_totals:
            parts[was.group].append(_negated(was.sums()))
            parts[now_.group].append(now_.sums())
    _upsert_day_totals(
        {group: list(map(sum, zip(*rows, strict=True))) for group, rows in parts.items()}
    )
    _upsert_day_tag_totals(tags)
    _upsert_day_category_totals(categories)


def _negated(values: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(-value for value in values)


def _id_list(text: str) -> list[int]:
    return [int(i) for i in text.split(",")] if text else []


def _id_set(listed: str | None) -> str:
    """A set of ids as kept: the database's list of them (any order, maybe repeated) sorted."""
    return ",".join(str(i) for i in sorted({int(i) for i in listed.split(",")})) if listed else ""


class _IdLists(dict[str, list[int]]):
    """The ids of each tag or category set, read from its text once: a few hundred sets for
    thousands of mistakes."""

    def __missing__(self, text: str) -> list[int]:
        ids = self[text] = _id_list(text)
        return ids


class _IdList(Aggregate):
    """The ids of a group as text, in no particular order."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s::text, ',')",
            **extra,
        )


def _flag(condition: Q | None) -> Case | Value:
    if condition is None:
        return Value(False, output_field=BooleanField())
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


class Micros(Func):
    """A time column as whole microseconds since 1970 (UTC), worked out by the database: each
    time read as a Python datetime first cost more than the rest of a mistake's count."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC: the whole seconds (julianday is a
        # double, exact to well under a second, so rounding makes them exact), then the digits
        # after the point.
        template = (
            "(CAST(ROUND((julianday(substr(%(expressions)s, 1, 19)) - 2440587.5) * 86400)"
            " AS INTEGER) * 1000000"
            " + CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER))"
        )
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)


_MISTAKE_FIELDS = [
    "pk",
    "reported_us",
    "noticed_us",
    "discovered_by",
    "team_id",
    "confidentiality",
    "reporter_id",
    "owner_id",
    "stage",
    "severity_id",
    "contained_us",
    "fixed_us",
    "tag_list",
    "is_verified",
    "is_linked",
    "category_list",
]


_READ_NAMES = [*_MISTAKE_FIELDS, *[f"counted__{name}" for name in COLUMNS[1:]]]


def _read_query(which: Q) -> Any:
    Through: Any = Mistake.tags.through
    tag_list = (
        Through.objects.filter(mistake_id=OuterRef("pk"))
        .order_by()
        .values("mistake_id")
        .annotate(ids=_IdList("tag_id"))
        .values("ids")
    )
    linked = seams.linked_recurrence() if seams.linked_recurrence else None
    category_list: Any = Value(None, output_field=CharField())
    if seams.factor_categories:
        category_list = Subquery(
            seams.factor_categories.factors()
            .filter(mistake_id=OuterRef("pk"))
            .order_by()
            .values("mistake_id")
            .annotate(ids=_IdList("category_id"))
            .values("ids")
        )
    return (
        Mistake.objects.filter(which)
        .order_by()
        .annotate(
            reported_us=Micros("reported_at"),
            noticed_us=Micros("noticed_at"),
            contained_us=Micros("contained_at"),
            fixed_us=Micros("fixed_at"),
            tag_list=Subquery(tag_list),
            is_verified=_flag(Q(fixed_at__isnull=False) & seams.verified_effective()),
            is_linked=_flag(linked),
            category_list=category_list,
        )
        .values_list(*_READ_NAMES)
    )


@dataclass(frozen=True)
class _CompiledRead:
    """The read of a stretch of ids, compiled once: building the query cost more than running
    it for one mistake, and as much as running it for a batch of imported ones."""

    sql: str
    params: list[Any]
    low_position: int
    high_position: int
    compiler: Any
    # The database's values made Python ones: for the mistake's columns, and for the counted
    # row's, which a new mistake does not have yet.
    mistake_converters: dict[int, Any]
    counted_converters: dict[int, Any]

    def convert(self, rows: list[Any]) -> Iterable[Sequence[Any]]:
        split = len(_MISTAKE_FIELDS)
        if self.mistake_converters:
            rows = list(self.compiler.apply_converters(rows, self.mistake_converters))
        if self.counted_converters:
            counted = [i for i, row in enumerate(rows) if row[split] is not None]
            converted = self.compiler.apply_converters(
                [rows[i] for i in counted], self.counted_converters
            )
            for i, row in zip(counted, converted, strict=True):
                rows[i] = row
        return rows


_compiled_reads: dict[tuple[Any, ...], _CompiledRead | None] = {}
_LOW, _HIGH = -(2**62), -(2**62) + 1


def _compiled_read() -> _CompiledRead | None:
    # The seams' conditions are part of the query: a new one gets a query of its own.
    key = (
        connection.vendor,
        seams.verified_effective,
        seams.linked_recurrence,
        seams.factor_categories,
    )
    if key not in _compiled_reads:
        query = _read_query(Q(pk__gte=_LOW, pk__lte=_HIGH)).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        compiled = None
        selected = compiler.select[0 : compiler.col_count]
        names = [alias for _, _, alias in selected]
        # Used only when the columns come in the order asked for and the bounds are found.
        converters = compiler.get_converters([column for column, _, _ in selected])
        split = len(_MISTAKE_FIELDS)
        if names == _READ_NAMES and params.count(_LOW) == params.count(_HIGH) == 1:
            compiled = _CompiledRead(
                sql=sql,
                params=params,
                low_position=params.index(_LOW),
                high_position=params.index(_HIGH),
                compiler=compiler,
                mistake_converters={i: c for i, c in converters.items() if i < split},
                counted_converters={i: c for i, c in converters.items() if i >= split},
            )
        _compiled_reads[key] = compiled
    return _compiled_reads[key]


def _read_rows(ids: list[int]) -> Iterable[Sequence[Any]]:
    """The rows of ``_READ_NAMES`` for these (distinct) ids."""
    low, high = min(ids), max(ids)
    # A report, an edit or an import writes one id or a run of new ones: read as a stretch.
    compiled = _compiled_read() if high - low < 2 * len(ids) else None
    if compiled is None:
        return _read_query(Q(pk__in=ids))
    params = list(compiled.params)
    params[compiled.low_position], params[compiled.high_position] = low, high
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = compiled.convert(cursor.fetchall())
    if high - low + 1 == len(ids):
        return rows
    wanted = set(ids)
    return [row for row in rows if row[0] in wanted]


def _read(ids: list[int]) -> tuple[dict[int, Counted], dict[int, Counted]]:
    """Each mistake as it is now (None when deleted), and as it was last counted."""
    now: dict[int, Counted] = {}
    before: dict[int, Counted] = {}
    split = len(_MISTAKE_FIELDS)
    for row in _read_rows(ids):
        now[row[0]] = _counted_now(row[:split])
        if row[split] is not None:
            before[row[0]] = Counted(row[0], *row[split:])
    gone = [pk for pk in ids if pk not in now]
    if gone:
        for found in CountedMistake.objects.filter(pk__in=gone).values_list(*COLUMNS):
            before[found[0]] = Counted(*found)
    return now, before


def _counted_now(row: Sequence[Any]) -> Counted:
    tag_list, verified, linked, category_list = row[12:16]
    values: Any = row[:12]
    return _counted(
        *values,
        tagset=_id_set(tag_list),
        verified=bool(verified),
        linked=bool(linked),
        categoryset=_id_set(category_list),
    )


def _counted(
    pk: int,
    reported_us: int,
    noticed_us: int | None,
    discovered_by: str,
    team_id: int | None,
    confidentiality: str,
    reporter_id: int | None,
    owner_id: int | None,
    stage: str,
    severity_id: int,
    contained_us: int | None,
    fixed_us: int | None,
    *,
    tagset: str,
    verified: bool,
    linked: bool,
    categoryset: str = "",
) -> Counted:
    audience = audience_of(confidentiality, team_id)
    # Insiders are kept for confidential mistakes only: everyone sees the others anyway.
    confidential = audience != EVERYONE
    return Counted(
        mistake_id=pk,
        day=date.fromordinal(EPOCH_ORDINAL + reported_us // DAY_US),
        reported_us=reported_us,
        team_key=team_id or 0,
        audience=audience,
        reporter_id=reporter_id if confidential else None,
        owner_id=owner_id if confidential else None,
        stage=stage,
        severity_id=severity_id,
        tagset=tagset,
        self_found=discovered_by == DiscoveredBy.SELF,
        noticed=noticed_us is not None,
        report_us=reported_us - noticed_us if noticed_us is not None else 0,
        contained=contained_us is not None,
        contain_us=contained_us - reported_us if contained_us is not None else 0,
        fixed=fixed_us is not None,
        fix_us=fixed_us - reported_us if fixed_us is not None else 0,
        verified=verified,
        linked=linked,
        categoryset=categoryset,
    )


class _Places:
    """The places of mistakes not in the table (yet), to find which of them come earlier."""

    def __init__(self, counted: Iterable[Counted]) -> None:
        # Per team and tag set, the places (time, id) seen by everyone, and by team members.
        self.everyone: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        self.members: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        for c in counted:
            if c.audience == EVERYONE:
                self.everyone[c.signature].append(c.order)
            if c.audience in (EVERYONE, TEAM):
                self.members[c.signature].append(c.order)
        for places in (*self.everyone.values(), *self.members.values()):
            places.sort()

    def recurs(self, counted: Counted, *, team_members: bool) -> bool:
        """Whether one of these places comes before ``counted`` within the window."""
        if not counted.tagset:
            return False
        places = (self.members if team_members else self.everyone).get(counted.signature)
        if not places:
            return False
        index = bisect.bisect_left(places, counted.order)
        return index > 0 and counted.reported_us - places[index - 1][0] <= WINDOW_US


def _chunks[T](items: Sequence[T], size: int = ROWS_PER_STATEMENT) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _earlier(place: tuple[str, str, str, str], audiences: str) -> str:
    """SQL: whether a counted mistake of these audiences, of the same team and tags, comes
    before the place (columns for its team, tag set, time and id) within the window."""
    team, tagset, at, pk = place
    return (
        f"EXISTS (SELECT 1 FROM {CountedMistake._meta.db_table} e"
        f" WHERE e.team_key = {team} AND e.tagset = {tagset}"
        f" AND e.reported_us >= {at} - {WINDOW_US} AND e.reported_us <= {at}"
        f" AND (e.reported_us < {at} OR e.mistake_id < {pk})"
        f" AND e.audience IN ({audiences}))"
    )


_FOR_EVERYONE = f"'{EVERYONE}'"
_FOR_MEMBERS = f"'{EVERYONE}', '{TEAM}'"


def _earlier_in_table(counted: list[Counted]) -> dict[int, tuple[bool, bool, bool]]:
    """For each place: whether an earlier mistake in the table makes it recur for everyone, for
    its team's members, and whether a later one in the table might depend on it."""
    found: dict[int, tuple[bool, bool, bool]] = {}
    table = CountedMistake._meta.db_table
    place = ("v.column2", "v.column3", "v.column4", "v.column1")
    row = "(CAST(%s AS BIGINT), CAST(%s AS BIGINT), %s, CAST(%s AS BIGINT))"
    for chunk in _chunks(counted):
        sql = (
            f"SELECT v.column1, {_earlier(place, _FOR_EVERYONE)}, {_earlier(place, _FOR_MEMBERS)},"
            f" EXISTS (SELECT 1 FROM {table} l WHERE l.team_key = v.column2"
            f" AND l.tagset = v.column3 AND l.reported_us >= v.column4"
            f" AND l.reported_us <= v.column4 + {WINDOW_US})"
            f" FROM (VALUES {', '.join([row] * len(chunk))}) AS v"
        )
        params = [x for c in chunk for x in (c.mistake_id, c.team_key, c.tagset, c.reported_us)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for pk, everyone, members, later in cursor.fetchall():
                found[int(pk)] = (bool(everyone), bool(members), bool(later))
    return found


def _windows(counted: Iterable[Counted]) -> list[tuple[int, str, int, int]]:
    """The stretches (team, tags, from, to) within the window after these places, merged."""
    per_signature: dict[tuple[int, str], list[int]] = defaultdict(list)
    for c in counted:
        per_signature[c.signature].append(c.reported_us)
    windows = []
    for (team_key, tagset), times in per_signature.items():
        times.sort()
        start = end = times[0]
        for moment in times[1:]:
            if moment > end + WINDOW_US:
                windows.append((team_key, tagset, start, end + WINDOW_US))
                start = moment
            end = moment
        windows.append((team_key, tagset, start, end + WINDOW_US))
    return windows


def _later_in_table(counted: list[Counted]) -> Iterator[tuple[Counted, bool, bool]]:
    """The mistakes in the table that may recur through these places, each with whether an
    earlier mistake in the table makes it recur for everyone and for its team's members."""
    table = CountedMistake._meta.db_table
    columns = ", ".join(f"n.{name}" for name in COLUMNS)
    place = ("n.team_key", "n.tagset", "n.reported_us", "n.mistake_id")
    for chunk in _chunks(_windows(counted), 200):
        where = " OR ".join(
            ["(n.team_key = %s AND n.tagset = %s AND n.reported_us BETWEEN %s AND %s)"] * len(chunk)
        )
        sql = (
            f"SELECT {columns}, {_earlier(place, _FOR_EVERYONE)}, {_earlier(place, _FOR_MEMBERS)}"
            f" FROM {table} n WHERE {where}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [x for window in chunk for x in window])
            for row in cursor.fetchall():
                yield _from_row(row[: len(COLUMNS)]), bool(row[-2]), bool(row[-1])


_BOOLEAN_COLUMNS = {f.name for f in fields(Counted) if f.type == "bool"}


def _from_row(row: Sequence[Any]) -> Counted:
    values = dict(zip(COLUMNS, row, strict=True))
    for name in _BOOLEAN_COLUMNS:
        values[name] = bool(values[name])
    if not isinstance(values["day"], date):
        values["day"] = date.fromisoformat(values["day"])
    return Counted(**values)


def _delete_counted(ids: list[int]) -> None:
    for chunk in _chunks(ids, 5000):
        CountedMistake.objects.filter(pk__in=chunk).delete()


def _write_counted(rows: list[Counted]) -> None:
    if not rows:
        return
    table = CountedMistake._meta.db_table
    names = ", ".join(COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    updates = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS[1:])
    adapt = connection.ops.adapt_datefield_value
    days: dict[date, Any] = {}  # a day made ready once: an import's rows share a few hundred
    params = []
    for counted in sorted(rows, key=attrgetter("mistake_id")):
        values = list(_values(counted))
        day = values[1]
        values[1] = days[day] if day in days else days.setdefault(day, adapt(day))
        params.append(values)
    # One statement prepared once for every row: the rows of a large import are written
    # faster this way than as long multi-row statements.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) "
            f"ON CONFLICT (mistake_id) DO UPDATE SET {updates}",
            params,
        )


def _write_recurrence(rows: list[Counted]) -> None:
    by_answer: dict[tuple[bool, bool], list[int]] = defaultdict(list)
    for counted in rows:
        by_answer[(counted.recurs_for_everyone, counted.recurs_for_team)].append(counted.mistake_id)
    for (everyone, members), ids in by_answer.items():
        for chunk in _chunks(ids, 5000):
            CountedMistake.objects.filter(pk__in=chunk).update(
                recurs_for_everyone=everyone, recurs_for_team=members
            )


def _upsert(
    table: str, keys: Sequence[str], sums: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    names = ", ".join([*keys, *sums])
    marks = "(" + ", ".join(["%s"] * (len(keys) + len(sums))) + ")"
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in sums)
    # In key order, so two writers never wait for each other's rows the other way round.
    for chunk in _chunks(sorted(rows)):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([marks] * len(chunk))} "
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}",
                [
                    connection.ops.adapt_datefield_value(value)
                    if isinstance(value, date)
                    else value
                    for row in chunk
                    for value in row
                ],
            )


def _upsert_day_totals(sums: dict[tuple[Any, ...], list[int]]) -> None:
    rows = [(*group, *values) for group, values in sums.items() if any(values)]
    _upsert(DayTotal._meta.db_table, GROUP, SUMS, rows)


def _upsert_day_tag_totals(tags: dict[tuple[Any, ...], int]) -> None:
    rows = [(*key, count) for key, count in tags.items() if count]
    _upsert(DayTagTotal._meta.db_table, ("day", "team_key", "audience", "tag_id"), ("n",), rows)


def _upsert_day_category_totals(categories: dict[tuple[Any, ...], int]) -> None:
    rows = [(*key, count) for key, count in categories.items() if count]
    keys = ("day", "team_key", "audience", "category_id")
    _upsert(DayCategoryTotal._meta.db_table, keys, ("n",), rows)


# Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What decides which totals a person may read."""

    teams: frozenset[int]
    # The confidential mistakes this person sees outside the day totals they read: restricted
    # ones they are named on, report or own, and other teams' team-only ones they report or own.
    insiders: list[Counted]

    def sees_in_day_totals(self, counted: Counted) -> bool:
        return counted.audience == EVERYONE or (
            counted.audience == TEAM and counted.team_key in self.teams
        )

    def recurs(self, counted: Counted) -> bool:
        """Whether it recurs through an earlier mistake this person sees in the day totals."""
        if counted.team_key in self.teams:
            return counted.recurs_for_team
        return counted.recurs_for_everyone


def viewer(user: User | AnonymousUser) -> Viewer | None:
    """None for someone who may see no mistake at all."""
    if not user.is_authenticated:
        return None
    teams = frozenset(Membership.objects.filter(user=user).values_list("team_id", flat=True))
    return Viewer(teams=teams, insiders=insiders(user, teams))


def insiders(user: User, teams: frozenset[int]) -> list[Counted]:
    """The mistakes ``user`` may see that the day totals they read leave out.

    Found through the kept reporter, owner and named people, then checked once more by
    ``Mistake.objects.visible_to``, the one rule of who sees what."""
    outside_teams = ~Q(audience=EVERYONE) & ~Q(audience=TEAM, team_key__in=teams)
    candidates = set(
        CountedMistake.objects.filter(outside_teams, reporter_id=user.pk).values_list(
            "pk", flat=True
        )
    )
    candidates |= set(
        CountedMistake.objects.filter(outside_teams, owner_id=user.pk).values_list("pk", flat=True)
    )
    named: Any = Mistake.restricted_to.through
    candidates |= set(named.objects.filter(user=user).values_list("mistake_id", flat=True))
    if not candidates:
        return []
    seen = Mistake.objects.visible_to(user).filter(pk__in=candidates).values("pk")
    rows = CountedMistake.objects.filter(outside_teams, pk__in=seen).values_list(*COLUMNS)
    return [Counted(*row) for row in rows]


@dataclass(frozen=True)
class Scope:
    """The days and the team the figures are about; ``team_key`` None for every team."""

    start: date
    end: date
    team_key: int | None = None

    def holds(self, counted: Counted) -> bool:
        return self.start <= counted.day <= self.end and (
            self.team_key is None or counted.team_key == self.team_key
        )


class DayBucket(Func):
    """The first day of the week (Monday) or month of a date column, as text YYYY-MM-DD."""

    output_field = CharField()

    def __init__(self, column: str, kind: str) -> None:
        self.kind = kind
        super().__init__(F(column))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = (
            "date(%(expressions)s, 'weekday 0', '-6 days')"
            if self.kind == "week"
            else "substr(%(expressions)s, 1, 7) || '-01'"
        )
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = f"to_char(date_trunc('{self.kind}', %(expressions)s::timestamp), 'YYYY-MM-DD')"
        return self.as_sql(compiler, connection, template=template, **extra)


def bucket_of(day: date, kind: str) -> str:
    if kind == "week":
        return date.fromordinal(day.toordinal() - day.weekday()).isoformat()
    return day.replace(day=1).isoformat()


class Total(Sum):
    """SUM that never overflows on SQLite: TOTAL adds as a double, exact up to 2⁵³ µs (285
    years) in one bucket and group, where SQLite's SUM would stop with an error."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="TOTAL", **extra)


def _read_day_totals(model: Any, who: Viewer, scope: Scope) -> Any:
    visible = Q(audience=EVERYONE)
    if who.teams:
        visible |= Q(audience=TEAM, team_key__in=who.teams)
    rows = model.objects.filter(visible, day__gte=scope.start, day__lte=scope.end, n__gt=0)
    if scope.team_key is not None:
        rows = rows.filter(team_key=scope.team_key)
    return rows.order_by()


FigureRow = dict[str, Any]
"""Counts and sums of one bucket, stage, severity and team (``team_id`` None without a team)."""


def figure_rows(who: Viewer, scope: Scope, kind: str) -> list[FigureRow]:
    """Every sum the figures need per bucket, stage, severity and team, for this viewer."""
    recurrent: Any = F("recurrent_for_everyone_n")
    if who.teams:
        recurrent = Case(
            When(team_key__in=who.teams, then=F("recurrent_for_team_n")),
            default=F("recurrent_for_everyone_n"),
        )
    grouped = (
        _read_day_totals(DayTotal, who, scope)
        .annotate(bucket=DayBucket("day", kind))
        .values("bucket", "stage", "severity_id", "team_key")
        .annotate(
            total_n=Sum("n"),
            total_self_n=Sum("self_n"),
            total_noticed_n=Sum("noticed_n"),
            total_report_us=Total("report_us", output_field=BigIntegerField()),
            total_contained_n=Sum("contained_n"),
            total_contain_us=Total("contain_us", output_field=BigIntegerField()),
            total_fixed_n=Sum("fixed_n"),
            total_fix_us=Total("fix_us", output_field=BigIntegerField()),
            total_verified_n=Sum("verified_n"),
            total_recurrent_n=Sum(recurrent),
        )
    )
    rows: list[FigureRow] = []
    for group in grouped:
        row: FigureRow = {
            "bucket": group["bucket"],
            "stage": group["stage"],
            "severity_id": group["severity_id"],
            "team_id": group["team_key"] or None,
        }
        for name in _ROW_SUMS:
            row[name] = int(group[f"total_{name}"])
        rows.append(row)
    insiders_in_scope = [c for c in who.insiders if scope.holds(c)]
    recurring_insiders = _recurring_among_insiders(who)
    for counted in insiders_in_scope:
        values = counted.sums()
        rows.append(
            {
                "bucket": bucket_of(counted.day, kind),
                "stage": counted.stage,
                "severity_id": counted.severity_id,
                "team_id": counted.team_key or None,
                **dict(zip(_ROW_SUMS[:-1], values[:-2], strict=True)),
                "recurrent_n": int(who.recurs(counted) or counted.mistake_id in recurring_insiders),
            }
        )
    for bucket, count in recurrences_through_insiders(who, scope, kind).items():
        rows.append({"bucket": bucket, "recurrent_n": count})
    return rows


# A viewer's rows carry one recurrence count where the day totals keep one per audience.
_ROW_SUMS = (*(s for s in SUMS if not s.startswith("recurrent_")), "recurrent_n")


def _recurring_among_insiders(who: Viewer) -> set[int]:
    """The viewer's insider mistakes that recur through another of their insider mistakes."""
    places = _Places(replace(c, audience=EVERYONE) for c in who.insiders if c.tagset)
    return {c.mistake_id for c in who.insiders if places.recurs(c, team_members=False)}


def recurrences_through_insiders(who: Viewer, scope: Scope, kind: str) -> dict[str, int]:
    """Per bucket, the mistakes of the day totals this viewer reads that recur only through an
    earlier mistake the viewer sees as an insider."""
    earlier = [c for c in who.insiders if c.tagset]
    if not earlier:
        return {}
    places = _Places(replace(c, audience=EVERYONE) for c in earlier)
    table = CountedMistake._meta.db_table
    columns = ", ".join(COLUMNS)
    found: dict[int, Counted] = {}
    for chunk in _chunks(_windows(earlier), 200):
        where = " OR ".join(
            ["(team_key = %s AND tagset = %s AND reported_us BETWEEN %s AND %s)"] * len(chunk)
        )
        params: list[Any] = [x for window in chunk for x in window]
        sql = f"SELECT {columns} FROM {table} WHERE ({where}) AND day >= %s AND day <= %s"
        params += [
            connection.ops.adapt_datefield_value(scope.start),
            connection.ops.adapt_datefield_value(scope.end),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                counted = _from_row(row)
                if (
                    scope.holds(counted)
                    and who.sees_in_day_totals(counted)
                    and not who.recurs(counted)
                    and places.recurs(counted, team_members=False)
                ):
                    found[counted.mistake_id] = counted
    per_bucket: dict[str, int] = defaultdict(int)
    for counted in found.values():
        per_bucket[bucket_of(counted.day, kind)] += 1
    return dict(per_bucket)


def tag_counts(who: Viewer, scope: Scope, kind: str) -> list[tuple[str, int, int]]:
    """(bucket, tag id, mistakes) for the mistakes this viewer may see."""
    return _counts_by(DayTagTotal, "tag_id", attrgetter("tag_ids"), who, scope, kind)


def category_counts(who: Viewer, scope: Scope, kind: str) -> list[tuple[str, int, int]]:
    """(bucket, factor category id, mistakes) for the mistakes this viewer may see."""
    return _counts_by(DayCategoryTotal, "category_id", attrgetter("category_ids"), who, scope, kind)


def _counts_by(
    model: Any,
    column: str,
    ids_of: Callable[[Counted], list[int]],
    who: Viewer,
    scope: Scope,
    kind: str,
) -> list[tuple[str, int, int]]:
    """(bucket, id, mistakes) from one of the day totals by id, and the viewer's insiders."""
    grouped = (
        _read_day_totals(model, who, scope)
        .annotate(bucket=DayBucket("day", kind))
        .values("bucket", column)
        .annotate(total=Sum("n"))
    )
    counts = [(g["bucket"], g[column], int(g["total"])) for g in grouped]
    for counted in who.insiders:
        if scope.holds(counted):
            counts.extend((bucket_of(counted.day, kind), i, 1) for i in ids_of(counted))
    return counts
