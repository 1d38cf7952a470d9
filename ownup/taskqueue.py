"""The task queue on a SQLite file (when there is no Redis): Huey's, kept as the database is.

Huey's SQLite storage syncs its file to disk at every commit (``synchronous=FULL``), so each
task queued behind a web request waited for the disk while holding the queue's one write lock,
and every other request queuing a task waited behind it. The queue now keeps the database's own
setting, write-ahead log with ``synchronous=NORMAL``: a queued task survives the process
crashing, and only a power cut can lose the last ones, as it can the last reports themselves.
The same tables and rows as Huey's own, so a worker of either kind reads them.
"""

from __future__ import annotations

import sqlite3

from huey import SqliteHuey
from huey.storage import SqliteStorage


class SqliteQueueStorage(SqliteStorage):
    def _create_connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection = super()._create_connection()
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def enqueue(self, data: bytes, priority: float | None = None) -> None:
        # One INSERT is a transaction by itself (the connection is in autocommit mode), so it
        # needs no BEGIN and COMMIT around it: the queue's lock is held for one statement, not
        # three, each of which a busy process's threads would make wait for the interpreter.
        self.sql(
            "insert into task (queue, data, priority) values (?, ?, ?)",
            (self.name, self.to_blob(data), priority or 0),
        )


class SqliteQueue(SqliteHuey):
    storage_class = SqliteQueueStorage
