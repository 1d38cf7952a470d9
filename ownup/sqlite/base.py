"""Django's SQLite engine, with the write transactions of one process queued in the process.

SQLite lets one writer in at a time. A writer that finds the file locked does not wait in a
queue: SQLite's busy handler makes it sleep and try again, for 1, 2, 5, 10 … up to 100 ms a try.
With a web process's threads all reporting at once, most of a request's time went to those
sleeps, long after the lock had been released, and the slowest waited seconds. Here the
threads of a process take turns on an in-process lock before ``BEGIN IMMEDIATE``, so at most
one of them per process meets SQLite's busy handler, and the next one starts as soon as the
one before commits. The lock only orders the attempts: SQLite's own lock still decides, so a
thread that waits longer than the database's timeout goes on to SQLite's handler as before.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.backends.sqlite3 import base

DEFAULT_TIMEOUT_S = 5.0

_turns: dict[str, threading.Lock] = {}
_turns_guard = threading.Lock()


def _turn_for(database: str) -> threading.Lock:
    with _turns_guard:
        return _turns.setdefault(database, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_turn = _turn_for(str(self.settings_dict["NAME"]))
        self._has_write_turn = False

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode not in {"IMMEDIATE", "EXCLUSIVE"}:  # type: ignore[attr-defined]
            # A plain BEGIN takes no write lock until it writes: nothing to queue for.
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        timeout = self.settings_dict["OPTIONS"].get("timeout", DEFAULT_TIMEOUT_S)
        self._has_write_turn = self._write_turn.acquire(timeout=timeout)
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._end_write_turn()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._end_write_turn()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._end_write_turn()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._end_write_turn()

    def _end_write_turn(self) -> None:
        if self._has_write_turn:
            self._has_write_turn = False
            self._write_turn.release()
