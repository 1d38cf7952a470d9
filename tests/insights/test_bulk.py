"""Writing many rows at once: SQLite's write-ahead log copied aside while the writer goes on."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction

from ownup.insights.bulk import log_copied_aside

ALIAS = "bulk"


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: Any) -> Iterator[Path]:
    """A database file of its own, in write-ahead-log mode as ownup's settings have it."""
    file = tmp_path / "bulk.sqlite3"
    connections.settings[ALIAS] = connections.configure_settings(
        {
            "default": connections.settings["default"],
            ALIAS: {
                "ENGINE": "ownup.sqlite",
                "NAME": str(file),
                "OPTIONS": {
                    "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                },
            },
        }
    )[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE report (title TEXT)")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the table in the file itself
        yield file
        connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def _in_the_file_itself(file: Path) -> int:
    # Opened as immutable, SQLite reads the database file alone, not its write-ahead log.
    with sqlite3.connect(f"file:{file}?immutable=1", uri=True) as reader:
        return int(reader.execute("SELECT COUNT(*) FROM report").fetchone()[0])


def _write_batches(committed: Any, batches: int) -> None:
    for batch in range(batches):
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.executemany(
                "INSERT INTO report (title) VALUES (%s)",
                [(f"Wrong prices {batch}.{n}",) for n in range(200)],
            )
        committed()


def test_the_log_is_copied_into_the_database_by_a_thread_of_its_own(database):
    writer = connections[ALIAS]
    threads = threading.active_count()
    with writer.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint=500")

    with log_copied_aside(ALIAS) as committed:
        with writer.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 0  # the writer no longer copies it at its commits
        _write_batches(committed, 3)

    # A few rows never fill the log to its limit: only the copier can have copied them.
    assert _in_the_file_itself(database) == 600
    with writer.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 500  # as it was
    assert threading.active_count() == threads


def test_without_it_the_rows_wait_in_the_log(database):
    _write_batches(lambda: None, 3)
    assert _in_the_file_itself(database) == 0  # what the first test's copier is measured against
