"""ownup's SQLite engine: write transactions take turns, in the process and among processes."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connections, transaction
from django.db.transaction import TransactionManagementError

from ownup.sqlite.base import TURN_FILE_SUFFIX

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
    database: str, title: str, wrote: threading.Event, log: list[str]
) -> threading.Thread:
    """A thread that writes ``title`` in a transaction, logging each statement it sends, and
    sets ``wrote`` once its statement is run (the transaction begins with it)."""

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
                cursor.execute("INSERT INTO report VALUES (%s)", [title])
                wrote.set()
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def _a_second_writer_gets_in(database: str) -> None:
    """Another thread writes "second" and commits, and this one waits for it (not for long)."""
    wrote = threading.Event()
    second = _write_in_a_thread(database, "second", wrote, [])
    assert wrote.wait(timeout=STUCK_S)
    second.join(timeout=STUCK_S)


def _titles(database: str) -> list[str]:
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT title FROM report ORDER BY title")
        return [row[0] for row in cursor.fetchall()]


def test_a_second_writer_waits_in_the_process_until_the_first_commits(database):
    connection = connections[database]
    log: list[str] = []
    wrote = threading.Event()
    with transaction.atomic(using=database), connection.cursor() as cursor:
        cursor.execute("INSERT INTO report VALUES ('first')")
        second = _write_in_a_thread(database, "second", wrote, log)
        # It has not even asked SQLite for the lock, whose busy handler would make it sleep.
        assert not wrote.wait(timeout=0.2)
        assert log == []
        log.append("first commits")
    assert wrote.wait(timeout=STUCK_S)
    second.join(timeout=STUCK_S)
    assert log[:2] == ["first commits", "second: BEGIN IMMEDIATE"]
    assert _titles(database) == ["first", "second"]


def test_a_writer_that_fails_lets_the_next_one_in(database):
    connection = connections[database]

    def write_and_fail() -> None:
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute("INSERT INTO report VALUES ('undone')")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        write_and_fail()
    _a_second_writer_gets_in(database)
    assert _titles(database) == ["second"]


def test_a_writer_whose_connection_closes_lets_the_next_one_in(database):
    connection = connections[database]
    with transaction.atomic(using=database), connection.cursor() as cursor:
        cursor.execute("INSERT INTO report VALUES ('lost')")
        # The request ends with its transaction still open, as when its worker is stopped.
        connection.close()
        connection.needs_rollback = True
    _a_second_writer_gets_in(database)
    assert _titles(database) == ["second"]


def test_a_transaction_takes_its_turn_with_its_first_statement(database):
    connection = connections[database]
    opened, go, wrote = threading.Event(), threading.Event(), threading.Event()
    log: list[str] = []

    def prepare_then_write() -> None:
        own = connections[database]  # the thread's own connection
        try:
            with transaction.atomic(using=database), own.cursor() as cursor:
                opened.set()  # what a writer does here, before its first statement, needs no turn
                go.wait(timeout=STUCK_S)
                cursor.execute("INSERT INTO report VALUES ('second')")
                log.append("second wrote")
                wrote.set()
        finally:
            own.close()

    with transaction.atomic(using=database), connection.cursor() as cursor:
        cursor.execute("INSERT INTO report VALUES ('first')")
        second = threading.Thread(target=prepare_then_write)
        second.start()
        assert opened.wait(timeout=STUCK_S), "opening a transaction waited for the turn"
        go.set()
        assert not wrote.wait(timeout=0.2)  # its statement waits for the turn
        log.append("first commits")
    second.join(timeout=STUCK_S)
    assert log == ["first commits", "second wrote"]
    assert _titles(database) == ["first", "second"]


def test_a_transaction_without_a_statement_holds_no_turn(database):
    with transaction.atomic(using=database):
        _a_second_writer_gets_in(database)
    assert _titles(database) == ["second"]


def test_a_transaction_that_cannot_begin_writes_nothing_outside_itself(database):
    connection = connections[database]
    connection.close()  # opened again with a short wait, so its BEGIN fails soon
    connection.settings_dict["OPTIONS"] = {**connection.settings_dict["OPTIONS"], "timeout": 0.1}
    # A writer that takes no turns, as the sqlite3 shell, holds SQLite's own lock.
    shell = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    shell.execute("BEGIN IMMEDIATE")
    try:
        with transaction.atomic(using=database), connection.cursor() as cursor:
            with pytest.raises(OperationalError, match="locked"):
                cursor.execute("INSERT INTO report VALUES ('refused')")
            # The block goes on after its first statement failed: nothing more may reach the
            # database outside the transaction that never began.
            with pytest.raises(TransactionManagementError):
                cursor.execute("INSERT INTO report VALUES ('outside the transaction')")
    finally:
        shell.rollback()
        shell.close()
    assert _titles(database) == []


def test_many_writers_at_once_all_get_in(database):
    threads = [
        _write_in_a_thread(database, f"report {n:02d}", threading.Event(), []) for n in range(16)
    ]
    for thread in threads:
        thread.join(timeout=WAIT_S)
    assert not any(thread.is_alive() for thread in threads)
    assert _titles(database) == [f"report {n:02d}" for n in range(16)]


def _waiting_on(path: Path) -> bool:
    """Whether a process is blocked waiting for the lock on ``path`` (the kernel lists it)."""
    inode = path.stat().st_ino
    with open("/proc/locks") as locks:
        return any("->" in line and line.split()[-3].endswith(f":{inode}") for line in locks)


def _write_in_a_forked_process(
    database: str, title: str, go: multiprocessing.synchronize.Event
) -> multiprocessing.Process:
    """A web process forked from this one, as a server forks its workers, that writes ``title``
    once told to go."""

    def write() -> None:
        # The child's own connection: the parent's belongs to the parent.
        connections[database] = connections.create_connection(database)
        try:
            go.wait(timeout=STUCK_S)
            with transaction.atomic(using=database), connections[database].cursor() as cursor:
                cursor.execute("INSERT INTO report VALUES (%s)", [title])
        except BaseException:
            os._exit(1)
        os._exit(0)

    context = multiprocessing.get_context("fork")
    child = context.Process(target=write)
    child.start()
    return child


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_a_writer_in_another_process_waits_for_its_turn_and_goes_in_when_it_comes(database):
    connection = connections[database]
    turn_file = Path(connection.settings_dict["NAME"] + TURN_FILE_SUFFIX)
    with transaction.atomic(using=database), connection.cursor() as cursor:
        cursor.execute("INSERT INTO report VALUES ('before')")
    # SQLite connections must not cross a fork; this process's turn file does, and the child
    # must not take its turns through it.
    connection.close()
    go = multiprocessing.get_context("fork").Event()
    child = _write_in_a_forked_process(database, "second", go)
    with transaction.atomic(using=database), connection.cursor() as cursor:
        cursor.execute("INSERT INTO report VALUES ('first')")
        go.set()
        deadline = time.monotonic() + STUCK_S
        while not _waiting_on(turn_file):  # in the kernel's queue, not asleep in SQLite's
            assert child.is_alive(), "the child stopped without waiting for its turn"
            assert time.monotonic() < deadline, "the child did not wait for its turn"
            time.sleep(0.01)
    child.join(timeout=STUCK_S)
    assert child.exitcode == 0
    assert _titles(database) == ["before", "first", "second"]
