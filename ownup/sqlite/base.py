"""Django's SQLite engine, with write transactions taking turns in a queue instead of sleeping.

SQLite lets one writer in at a time. A writer that finds the file locked does not wait in a
queue: SQLite's busy handler makes it sleep and try again, for 1, 2, 5, 10 … up to 100 ms a try.
With the threads of several web processes reporting at once, most of a request's time went to
those sleeps, long after the lock had been released: the process that held the lock handed it
from thread to thread while the other one slept, and its slowest requests waited seconds.

Here a writer takes its turn before ``BEGIN IMMEDIATE``: first among the threads of its process
(a lock in the process), then among the processes using the same file (an exclusive ``flock``
on a file beside the database, which the kernel hands on as soon as its holder lets go, and
gives back if the holder dies). So the next writer starts as soon as the one before commits,
whichever process it is in. The turns only order the attempts: SQLite's own lock still decides,
so a writer that does not take turns (the ``sqlite3`` shell, say) is waited for as before, and
a thread that waits longer than the database's timeout for its process's turn goes on to
SQLite's busy handler.

A transaction begins (takes its turn and sends ``BEGIN IMMEDIATE``) with its first statement,
not where ``atomic`` opens it: the Python between the two (building the first query, say) is
then done before the turn, while another writer holds it, and the turn is held only while the
transaction's statements are run.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable
from typing import Any

from django.db.backends.sqlite3 import base

DEFAULT_TIMEOUT_S = 5.0
TURN_FILE_SUFFIX = "-writer"


class _Turn:
    """The turn to write to one database file, for the threads of this process."""

    def __init__(self, database: str, in_memory: bool) -> None:
        self._threads = threading.Lock()
        # An in-memory database belongs to one process: its threads are all there is to order.
        self._path = None if in_memory else database + TURN_FILE_SUFFIX
        self._file: int | None = None
        self._holding_file = False

    def take(self, timeout: float) -> bool:
        if not self._threads.acquire(timeout=timeout):
            return False
        try:
            if self._path is not None:
                if self._file is None:
                    self._file = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                # Blocks in the kernel, without the interpreter's lock, until no other process
                # holds the turn.
                fcntl.flock(self._file, fcntl.LOCK_EX)
                self._holding_file = True
        except OSError:
            # A turn file that cannot be made or locked (a read-only folder): the processes are
            # left to SQLite's busy handler, as without turns.
            self._path = None
        return True

    def give_back(self) -> None:
        try:
            if self._holding_file and self._file is not None:
                self._holding_file = False
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()


_turns: dict[str, _Turn] = {}
_turns_guard = threading.Lock()


def _forget_turns_after_fork() -> None:
    # A child process (a web worker forked by its server) must take turns of its own: its
    # parent's open turn file is shared with the parent across the fork, and a lock taken by
    # one of the parent's threads at the moment of the fork would never be given back.
    global _turns_guard
    _turns.clear()
    _turns_guard = threading.Lock()


os.register_at_fork(after_in_child=_forget_turns_after_fork)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_turn: _Turn | None = None
        self._begin_pending = False
        # The first of the wrappers, so the transaction has begun before any other (a test's
        # log of statements, say) sees a statement of it.
        self.execute_wrappers.append(self._begin_before_first_statement)

    def _turn(self) -> _Turn:
        # Looked up at each transaction: a test database renames the connection's file.
        database = str(self.settings_dict["NAME"])
        with _turns_guard:
            turn = _turns.get(database)
            if turn is None:
                in_memory = self.creation.is_in_memory_db(database)
                turn = _turns[database] = _Turn(database, in_memory)
            return turn

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode not in {"IMMEDIATE", "EXCLUSIVE"}:  # type: ignore[attr-defined]
            # A plain BEGIN takes no write lock until it writes: nothing to queue for.
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        self._begin_pending = True

    def _begin_before_first_statement(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if self._begin_pending:
            self._begin_pending = False
            try:
                self._begin_in_turn()
            except BaseException:
                # The block may catch this and go on: its later statements must be refused, as
                # in any broken transaction, not run one by one outside the one that never began.
                self.needs_rollback = True
                raise
        return execute(sql, params, many, context)

    def _begin_in_turn(self) -> None:
        timeout = self.settings_dict["OPTIONS"].get("timeout", DEFAULT_TIMEOUT_S)
        turn = self._turn()
        if turn.take(timeout):
            self._write_turn = turn
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._end_write_turn()
            raise

    def _commit(self) -> None:
        self._begin_pending = False
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._end_write_turn()

    def _rollback(self) -> None:
        self._begin_pending = False
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._end_write_turn()

    def _close(self) -> None:
        self._begin_pending = False
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._end_write_turn()

    def _end_write_turn(self) -> None:
        turn, self._write_turn = self._write_turn, None
        if turn is not None:
            turn.give_back()
