"""Writing many rows at once for imports and generated histories: prepared INSERTs over rows
whose values are already checked, with primary keys reserved the way the database hands them
out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


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


def insert_rows(model: type[models.Model], names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """One prepared INSERT for many rows, each value made ready for the database by its model
    field, as bulk_create would, without a model instance and an SQL text per row."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    database = connections[DEFAULT_DB_ALIAS]
    prepare = [_preparer(field, database) for field in fields]
    columns = ", ".join(database.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    marks = ", ".join(["%s"] * len(fields))
    prepared = [
        tuple(
            value if ready is None else ready(value)
            for ready, value in zip(prepare, row, strict=True)
        )
        for row in rows
    ]
    with database.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})", prepared
        )


def _preparer(field: Any, database: Any) -> Callable[[Any], Any] | None:
    # Text, numbers and keys go in as they are; dates and JSON need the field's own conversion.
    if isinstance(field, models.DateTimeField):
        return database.ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, database)
    return None
