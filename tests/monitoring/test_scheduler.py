"""The scheduler at scale: one query finds the due checks, and a slot never runs twice, even
with several workers racing for it on the real Redis queue."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ownup.monitoring import services
from ownup.monitoring.models import CheckRun, EffectivenessCheck


def test_due_checks_are_found_in_one_query_and_moved_on_in_few(
    start, fixed_mistake, add_check, monitor, http_server, time_machine
):
    for n in range(30):
        add_check(fixed_mistake, name=f"shop {n}", url=http_server.url, every="1m")
    monitor(fixed_mistake)
    time_machine.move_to(start + timedelta(minutes=1), tick=False)
    with CaptureQueriesContext(connection) as queries:
        batches = services.dispatch(batch_size=12)
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    # (PostgreSQL reads through a server-side cursor: DECLARE ... CURSOR FOR SELECT ...)
    reads = [sql for sql in statements if "SELECT" in sql and not sql.startswith("UPDATE")]
    assert len(reads) == 1
    assert "NEXT_DUE_AT" in reads[0]
    assert [len(b) for b in batches] == [12, 12, 6]  # all due already: one group
    following = set(EffectivenessCheck.objects.values_list("next_due_at", flat=True))
    updates = [sql for sql in statements if sql.startswith("UPDATE")]
    assert len(updates) == len(following)  # one per distinct next slot, at most one per second
    assert len(statements) <= 1 + len(following) + 2  # and a savepoint or transaction


def test_a_slot_dispatched_twice_runs_once(
    start, fixed_mistake, add_check, monitor, http_server, time_machine
):
    check = add_check(fixed_mistake, url=http_server.url, every="1m")
    monitor(fixed_mistake)
    time_machine.move_to(start + timedelta(minutes=1), tick=False)
    [batch] = services.dispatch()
    EffectivenessCheck.objects.filter(pk=check.pk).update(next_due_at=start)  # a second dispatcher
    assert services.run_slots(batch)
    assert services.run_slots(batch) == []
    assert CheckRun.objects.filter(check_ref=check).count() == 1
    assert len(http_server.requests) == 1


def test_a_batch_is_claimed_run_and_recorded_in_as_many_statements_whatever_its_size(
    start, fixed_mistake, add_check, monitor, http_server, time_machine
):
    for n in range(25):
        add_check(fixed_mistake, name=f"shop {n}", url=http_server.url + f"/{n}", every="1m")
    monitor(fixed_mistake)
    time_machine.move_to(start + timedelta(minutes=1), tick=False)
    [slots] = services.dispatch()
    counts = []
    for batch in (slots[:5], slots[5:]):
        with CaptureQueriesContext(connection) as queries:
            assert len(services.run_slots(batch)) == len(batch)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]  # 5 results or 20: the same statements, none per run
    assert set(CheckRun.objects.values_list("outcome", flat=True)) == {"passed"}
    assert len(http_server.requests) == 25
    assert set(EffectivenessCheck.objects.values_list("window_passes", flat=True)) == {1}


def test_the_dispatcher_queues_the_coming_slots_each_for_its_own_second(
    start, fixed_mistake, add_check, monitor, http_server, time_machine, run_tasks
):
    from huey.contrib.djhuey import HUEY

    from ownup.monitoring import tasks

    checks = [
        add_check(fixed_mistake, name=f"shop {n}", url=http_server.url + f"/{n}", every="1m")
        for n in range(8)
    ]
    monitor(fixed_mistake)
    run_tasks()
    slots = {c.pk: c.next_due_at for c in EffectivenessCheck.objects.all()}
    assert len(set(slots.values())) > 1  # spread over the minute
    # Every slot of the next minute and a half is queued at once, none run before its time.
    assert tasks.dispatch_due_checks.call_local() == len(checks)
    run_tasks()
    assert CheckRun.objects.filter(slot__gt=start).count() == 0
    waiting = HUEY.scheduled()
    assert sorted(task.eta for task in waiting) == sorted(
        {s.replace(tzinfo=None) for s in slots.values() if s > start}
    )
    for task in waiting:
        time_machine.move_to(task.eta.replace(tzinfo=UTC), tick=False)
        for due in HUEY.read_schedule():  # what the consumer's scheduler does every second
            HUEY.enqueue(due)
        run_tasks()
    runs = CheckRun.objects.all()
    assert sorted((r.check_ref_id, r.slot) for r in runs) == sorted(slots.items())
    assert all(r.started_at >= r.slot for r in runs)
    assert {r.outcome for r in runs} == {"passed"}
    assert HUEY.scheduled() == []
    assert HUEY.pending_count() == 0


def test_a_slot_queued_ahead_of_time_does_not_run_for_a_check_removed_meanwhile(
    start, fixed_mistake, add_check, monitor, http_server, time_machine, reporter
):
    kept = add_check(fixed_mistake, name="kept", url=http_server.url, every="1m")
    removed = add_check(fixed_mistake, name="removed", url=http_server.url, every="1m")
    monitor(fixed_mistake)
    batches = services.dispatch(ahead=timedelta(minutes=2))
    slots = [slot for batch in batches for slot in batch]
    assert {pk for pk, _ in slots} == {kept.pk, removed.pk}
    services.remove_check(removed, actor=reporter)
    time_machine.move_to(start + timedelta(minutes=1), tick=False)
    runs = services.run_slots(slots)
    assert [r.check_ref_id for r in runs] == [kept.pk]


SETUP = """
import json, sys
import django
django.setup()
from datetime import UTC, timedelta
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from ownup.monitoring import tasks
from ownup.monitoring.models import EffectivenessCheck, CheckKind
from ownup.reporting import services
from ownup.reporting.models import Mistake, Stage

call_command("migrate", verbosity=0)
HUEY.flush()
url, count = sys.argv[1], int(sys.argv[2])
user = User.objects.create(username="cy", is_superuser=True)
mistake = services.report({"title": "Checkout lost the basket"}, reporter=user)
Mistake.objects.filter(pk=mistake.pk).update(stage=Stage.MONITORING)
slot = timezone.now().replace(second=0, microsecond=0)
checks = EffectivenessCheck.objects.bulk_create(
    EffectivenessCheck(
        mistake=mistake, kind=CheckKind.HTTP, name=f"shop {n}", interval_minutes=60,
        config={"url": f"{url}/{n}", "expected_status": 200, "timeout": 10.0},
        active=True, window_started_at=slot - timedelta(minutes=1),
        next_due_at=slot + timedelta(hours=1),
    )
    for n in range(count)
)
slots = [(c.pk, slot) for c in checks]
# Three dispatchers queue the same slots in different batches: a stampede on every slot.
for size in (count, 10, 7):
    for start in range(0, count, size):
        tasks.run_check_batch(slots[start : start + size])
print(HUEY.pending_count())
"""


@pytest.mark.redis
def test_two_ownup_workers_on_redis_never_run_a_slot_twice(redis_url, http_server, tmp_path):
    count = 60
    env = {
        **os.environ,
        "OWNUP_DATA_DIR": str(tmp_path),
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "ownup.settings",
        "OWNUP_TEST_DB": "",
    }
    env.pop("DATABASE_URL", None)  # the workers share one SQLite file of their own
    queued = subprocess.run(
        [sys.executable, "-c", SETUP, http_server.url, str(count)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert int(queued.stdout.split()[-1]) >= 1 + 6 + 9  # every slot queued three times
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "ownup", "worker", "--workers", "3"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    database = tmp_path / "ownup.sqlite3"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sqlite3.connect(database, timeout=20) as db:
                done = db.execute(
                    "select count(*) from monitoring_checkrun where outcome != 'running'"
                ).fetchone()[0]
            if done >= count and len(http_server.requests) >= count:
                break
            time.sleep(0.2)
        time.sleep(1)  # room for a run that would (wrongly) come twice
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        for worker in workers:
            worker.wait(timeout=30)
    with sqlite3.connect(database) as db:
        runs = db.execute("select check_id, slot, outcome from monitoring_checkrun").fetchall()
    assert len(runs) == count
    assert len({(check, slot) for check, slot, _ in runs}) == count
    assert {outcome for _, _, outcome in runs} == {"passed"}
    assert len(http_server.requests) == count  # each target asked once for its slot
    assert len({r.path for r in http_server.requests}) == count
