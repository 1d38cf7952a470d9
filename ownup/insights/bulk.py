"""Writing many rows at once for imports and generated histories: prepared INSERTs over rows
whose values are already checked, with primary keys reserved the way the database hands them
out."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys, as the database would hand them out one by one."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write lock is held from the transaction's start (IMMEDIATE), and ids of
        # deleted rows are never handed out again (AUTOINCREMENT keeps the highest one).
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        highest = int(cursor.fetchone()[0])
        return list(range(highest + 1, highest + 1 + count))


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector held back while many records are checked and written: each of
    its full passes walks every object alive, the hundreds of thousands of records read among
    them, and it starts one each time enough objects have lived through a batch; together a
    tenth of a large import. The few cycles an import leaves are collected when it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def log_copied_aside(using: str = DEFAULT_DB_ALIAS) -> Iterator[Callable[[], None]]:
    """A function to call after each commit of a long run of them (an import's batches).

    On SQLite the commit that fills the write-ahead log past its limit copies the log into the
    database there and then: for a large import, a sixth of its time, the writer waiting. In
    this block a thread of its own does it instead, after each commit it is told of, while
    the writer checks and writes its next batch (SQLite lets go of Python's lock while it
    copies). On other databases, and on SQLite in memory, nothing changes."""
    writer = connections[using]
    name = str(writer.settings_dict["NAME"])
    if writer.vendor != "sqlite" or SQLiteCreation.is_in_memory_db(name):
        yield lambda: None
        return
    committed = threading.Event()
    done = False

    def copy() -> None:
        try:
            while True:
                committed.wait()
                committed.clear()
                last = done  # read before copying, so the last copy follows the last commit
                with connections[using].cursor() as cursor:  # this thread's own connection
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                if last:
                    return
        except DatabaseError:
            pass  # the copy waits for the first commit after the block, as it would have
        finally:
            connections[using].close()

    with writer.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        limit = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    copier = threading.Thread(target=copy, name="ownup-log-copier", daemon=True)
    copier.start()
    try:
        yield committed.set
    finally:
        done = True
        committed.set()  # a last copy, then the thread ends
        copier.join()
        with writer.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint={limit}")


def insert_rows(
    model: type[models.Model],
    names: list[str],
    rows: list[tuple[Any, ...]],
    *,
    times: dict[Any, Any] | None = None,
) -> None:
    """One prepared INSERT for many rows, each value made ready for the database by its model
    field, as bulk_create would, without a model instance and an SQL text per row.

    ``times`` keeps the times already made ready, for a writer whose tables repeat them (a
    mistake's report time is also its timeline entry's)."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    database = connections[DEFAULT_DB_ALIAS]
    columns = ", ".join(database.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    marks = ", ".join(["%s"] * len(fields))
    times = {} if times is None else times
    converting = [
        (place, ready)
        for place, ready in enumerate(_preparer(field, database, times) for field in fields)
        if ready is not None
    ]
    prepared: list[Any] = rows
    if converting:
        # A column at a time, with map, rather than a Python loop over every value of every
        # row (a third of this function's own Python time went to that loop).
        values: list[Any] = list(zip(*rows, strict=True))
        for place, ready in converting:
            values[place] = map(ready, values[place])
        prepared = list(zip(*values, strict=True))
    with database.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})", prepared
        )


def _preparer(field: Any, database: Any, times: dict[Any, Any]) -> Callable[[Any], Any] | None:
    # Text, numbers and keys go in as they are; dates and JSON need the field's own conversion.
    if isinstance(field, models.DateTimeField):
        adapt = database.ops.adapt_datetimefield_value
        if database.vendor == "sqlite" and settings.USE_TZ and database.timezone == UTC:
            return _once_per_value(partial(_sqlite_utc_text, adapt), times)
        return _once_per_value(adapt, times)
    if isinstance(field, models.JSONField):
        return partial(_json_value, database.ops.adapt_json_value, field.encoder)
    return None


def _json_value(adapt: Callable[[Any, Any], Any], encoder: Any, value: Any) -> Any:
    # The field's own conversion (get_db_prep_save) ends in ``adapt`` after checks that matter
    # only for expressions: three times the cost of the JSON itself. None stays SQL NULL.
    return None if value is None else adapt(value, encoder)


def _sqlite_utc_text(adapt: Callable[[Any], Any], value: Any) -> Any:
    # What adapt_datetimefield_value gives an aware time on SQLite in UTC, without its checks
    # and look-ups: half its cost, for the three or four times of each imported record.
    if type(value) is datetime:
        if value.tzinfo is UTC:
            # The same text as the naive time's str(), less the offset: no new time made.
            return value.isoformat(" ")[:-6]
        if value.utcoffset() is not None:
            return str(value.astimezone(UTC).replace(tzinfo=None))
    return adapt(value)


def _once_per_value(
    convert: Callable[[Any], Any], converted: dict[Any, Any]
) -> Callable[[Any], Any]:
    # A column often repeats a time (the moment of an import is in each of its rows):
    # each distinct one is converted once.

    def once(value: Any) -> Any:
        found = converted.get(value, converted)
        if found is converted:
            found = converted[value] = convert(value)
        return found

    return once
