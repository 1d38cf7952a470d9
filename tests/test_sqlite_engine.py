"""ownup's SQLite engine: the write transactions of one process take turns in the process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction

# A writer waits up to WAIT_S for its turn; a test calls a thread stuck well before that, so
# a turn that is never given back fails the test instead of timing out into SQLite.
WAIT_S = 10
STUCK_S = 3
ALIAS = "turns"


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: Any) -> Iterator[str]:
    """A database file of its own, which each thread opens as a web process's threads do."""
    connections.settings[ALIAS] = connections.configure_settings(
        {
            "default": connections.settings["default"],
            ALIAS: {
                "ENGINE": "ownup.sqlite",
                "NAME": str(tmp_path / "turns.sqlite3"),
                "OPTIONS": {"timeout": WAIT_S, "transaction_mode": "IMMEDIATE"},
            },
        }
    )[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE report (title TEXT)")
        yield ALIAS
        connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def _write_in_a_thread(
    database: str, title: str, began: threading.Event, log: list[str]
) -> threading.Thread:
    """A thread that writes ``title`` in a transaction, logging each statement it sends."""

    def sent(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        log.append(f"{title}: {sql}")
        return execute(sql, params, many, context)

    def write() -> None:
        connection = connections[database]
        try:
            with (
                connection.execute_wrapper(sent),
                transaction.atomic(using=database),
                connection.cursor() as cursor,
            ):
                began.set()
                cursor.execute("INSERT INTO report VALUES (%s)", [title])
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def _titles(database: str) -> list[str]:
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT title FROM report ORDER BY title")
        return [row[0] for row in cursor.fetchall()]


def test_a_second_writer_waits_in_the_process_until_the_first_commits(database):
    connection = connections[database]
    log: list[str] = []
    began = threading.Event()
    with transaction.atomic(using=database), connection.cursor() as cursor:
        cursor.execute("INSERT INTO report VALUES ('first')")
        second = _write_in_a_thread(database, "second", began, log)
        # It has not even asked SQLite for the lock, whose busy handler would make it sleep.
        assert not began.wait(timeout=0.2)
        assert log == []
        log.append("first commits")
    assert began.wait(timeout=STUCK_S)
    second.join(timeout=STUCK_S)
    assert log[:2] == ["first commits", "second: BEGIN IMMEDIATE"]
    assert _titles(database) == ["first", "second"]


def test_a_writer_that_fails_lets_the_next_one_in(database):
    connection = connections[database]
    began = threading.Event()

    def write_and_fail() -> None:
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute("INSERT INTO report VALUES ('undone')")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        write_and_fail()
    second = _write_in_a_thread(database, "second", began, [])
    assert began.wait(timeout=STUCK_S)
    second.join(timeout=STUCK_S)
    assert _titles(database) == ["second"]


def test_a_writer_whose_connection_closes_lets_the_next_one_in(database):
    connection = connections[database]
    began = threading.Event()
    with transaction.atomic(using=database), connection.cursor() as cursor:
        cursor.execute("INSERT INTO report VALUES ('lost')")
        # The request ends with its transaction still open, as when its worker is stopped.
        connection.close()
        connection.needs_rollback = True
    second = _write_in_a_thread(database, "second", began, [])
    assert began.wait(timeout=STUCK_S)
    second.join(timeout=STUCK_S)
    assert _titles(database) == ["second"]


def test_many_writers_at_once_all_get_in(database):
    threads = [
        _write_in_a_thread(database, f"report {n:02d}", threading.Event(), []) for n in range(16)
    ]
    for thread in threads:
        thread.join(timeout=WAIT_S)
    assert not any(thread.is_alive() for thread in threads)
    assert _titles(database) == [f"report {n:02d}" for n in range(16)]
