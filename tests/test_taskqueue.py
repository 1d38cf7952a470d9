"""The task queue on a SQLite file, as an instance without Redis runs it."""

from __future__ import annotations

from pathlib import Path

from huey import SqliteHuey

from ownup.taskqueue import SqliteQueue


def add(a: int, b: int) -> int:
    return a + b


def test_a_queued_task_reaches_the_worker_and_the_file_syncs_as_the_database(tmp_path: Path):
    queue = SqliteQueue("ownup", filename=str(tmp_path / "queue.sqlite3"))
    queued_add = queue.task()(add)

    queued_add(2, 3)
    queued_add(4, 5)

    assert queue.pending_count() == 2
    # Huey's own SQLite storage reads the same rows, in the order they were queued.
    worker = SqliteHuey("ownup", filename=str(tmp_path / "queue.sqlite3"))
    worker.task()(add)
    assert [worker.execute(worker.dequeue()) for _ in range(2)] == [5, 9]
    assert worker.dequeue() is None
    connection = queue.storage.conn
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
