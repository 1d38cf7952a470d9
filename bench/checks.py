"""How late do effectiveness checks start when 10 000 of them are due every minute?

Two rows, both real runs: the real dispatcher (`dispatch_due_checks`, as the worker runs it each
minute), the real Huey queue on SQLite and the real database, as `make run` has them, and
`ownup worker` processes started as a person starts them. HTTP probes ask a local server
(several processes sharing one listening socket, so the harness is not what is measured).

- **spread**: 10 000 checks every minute as the product schedules them, each on its own second
  of the minute; the figure is the p95 lag from each slot's due time to its run's start over
  a minute (quick: the first 15 seconds). The ceiling: a bare timer thread handing each slot,
  at its due time, to a pool of as many threads as the workers probe with, asking the same
  server with no queue and no database.
- **burst**: the worst case, 10 000 checks due on the same second (as `* * * * *` cron checks
  all are at every whole minute); the ceiling is the same pool asking the same server the same
  number of times from the same instant.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from bench.rows import Row, percentile, row

# The spread row runs one `ownup worker`, as `make run` starts it; the burst row two, as the
# advice for many checks due together says. Each has its default two threads.
SPREAD_WORKERS = 1
BURST_WORKERS = 2
WORKER_THREADS = 2
SERVER_PROCESSES = 2
TARGET_SECONDS = 5.0
LEAD_SECONDS = 3.0  # the first slot comes this long after the dispatcher runs

SERVER = """
import asyncio, os, socket, sys

ANSWER = b"HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok"

async def answer(reader, writer):
    try:
        await reader.readuntil(b"\\r\\n\\r\\n")
        writer.write(ANSWER)
        await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()

async def serve(listening):
    server = await asyncio.start_server(answer, sock=listening, backlog=4096)
    await server.serve_forever()

listening = socket.socket()
listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listening.bind(("127.0.0.1", 0))
listening.listen(4096)
print(listening.getsockname()[1], flush=True)
for _ in range(int(sys.argv[1]) - 1):
    if os.fork() == 0:
        break
asyncio.run(serve(listening))
"""


def _setup_django() -> None:
    from django.apps import apps

    if apps.ready:
        return
    os.environ.setdefault("OWNUP_DATA_DIR", tempfile.mkdtemp(prefix="ownup-bench-checks-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ownup.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _ask(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            answer.read()
    except OSError:
        pass  # an overloaded server is the machine's limit, not a reason to stop


def _bare_lags(url: str, offsets: Sequence[float], threads: int) -> list[float]:
    """Each request handed at its due time (seconds from now) to a bare pool: its lag."""
    began = time.perf_counter() + LEAD_SECONDS
    lags: list[float] = []

    def ask(due: float) -> None:
        lags.append(time.perf_counter() - began - due)
        _ask(url)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for due in sorted(offsets):
            wait = began + due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            pool.submit(ask, due)
    return lags


def _workers(processes: int) -> list[subprocess.Popen[bytes]]:
    """``processes`` workers started as a person starts them, once each is consuming: on a
    loaded machine a worker takes seconds to start, and the lag is not about that."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ownup.settings"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "ownup", "worker", "--workers", str(WORKER_THREADS)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(processes)
    ]
    try:
        deadline = time.monotonic() + 90
        for worker in workers:
            # A consumer runs its worker threads and its scheduler beside the main thread.
            while len(os.listdir(f"/proc/{worker.pid}/task")) < WORKER_THREADS + 2:
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("an `ownup worker` did not start")
                time.sleep(0.2)
    except BaseException:
        _stop(workers)
        raise
    return workers


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _checks(count: int, url: str, *, burst: bool) -> tuple[Any, dict[int, datetime]]:
    """A monitored mistake with ``count`` HTTP checks every minute, each on its first slot from
    a few seconds on: its own second of the minute as the product gives it, or, for the burst,
    the same second for every one."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from ownup.monitoring import services
    from ownup.monitoring.models import CheckKind, EffectivenessCheck
    from ownup.reporting import services as reporting
    from ownup.reporting.models import Stage

    user, _ = User.objects.get_or_create(username="bench-checks", defaults={"is_superuser": True})
    mistake = reporting.report({"title": "Checkout lost the basket under load"}, reporter=user)
    type(mistake).objects.filter(pk=mistake.pk).update(stage=Stage.MONITORING)
    now = timezone.now()
    checks = EffectivenessCheck.objects.bulk_create(
        [
            EffectivenessCheck(
                mistake=mistake,
                kind=CheckKind.HTTP,
                name=f"shop {n} answers",
                config={"url": f"{url}/{n}", "expected_status": 200, "timeout": 5.0},
                # `* * * * *` checks in the burst: all due at the same second of every minute.
                interval_minutes=None if burst else 1,
                cron="* * * * *" if burst else "",
                active=True,
                window_started_at=now - timedelta(minutes=1),
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    start = timezone.now() + timedelta(seconds=LEAD_SECONDS)
    burst_at = start.replace(microsecond=0) + timedelta(seconds=1) if burst else None
    for check in checks:
        # The burst is set a few seconds ahead rather than at the next whole minute, so the
        # bench need not wait for it: the same state, the same code, a minute sooner.
        check.next_due_at = burst_at or services.first_due(check, start)
    # One UPDATE per distinct slot: a bulk update's CASE over 10 000 rows takes SQLite seconds.
    by_slot: dict[datetime | None, list[int]] = defaultdict(list)
    for check in checks:
        by_slot[check.next_due_at].append(check.pk)
    for slot, pks in by_slot.items():
        EffectivenessCheck.objects.filter(pk__in=pks).update(next_due_at=slot)
    return mistake, {c.pk: c.next_due_at for c in checks if c.next_due_at}


def _run(count: int, url: str, span: float, *, burst: bool) -> tuple[list[float], int, int]:
    """Dispatch and run the slots due within ``span`` seconds; their lags, failures, count."""
    from huey.contrib.djhuey import HUEY

    from ownup.monitoring import tasks
    from ownup.monitoring.models import CheckRun

    HUEY.flush()
    workers = _workers(BURST_WORKERS if burst else SPREAD_WORKERS)
    try:
        mistake, slots = _checks(count, url, burst=burst)
        first = min(slots.values())
        measured = {pk for pk, slot in slots.items() if slot < first + timedelta(seconds=span)}
        tasks.dispatch_due_checks.call_local()
        runs = CheckRun.objects.filter(check_ref__in=measured, slot__in=set(slots.values()))
        deadline = time.monotonic() + span + 300
        while time.monotonic() < deadline:
            if runs.exclude(outcome="running").count() >= len(measured):
                break
            time.sleep(0.5)
    finally:
        _stop(workers)
    done = list(runs.values_list("check_ref_id", "slot", "started_at", "outcome"))
    lags = [
        (started - slot).total_seconds()
        for pk, slot, started, _ in done
        if started and slot == slots[pk]
    ]
    failed = sum(1 for *_, outcome in done if outcome != "passed")
    mistake.delete()
    HUEY.flush()
    return lags, failed, len(measured)


def _row(
    workload: str, lags: list[float], ceiling: list[float], failed: int, count: int, how: str
) -> Row:
    p95 = percentile(lags, 0.95) if lags else None
    top = percentile(ceiling, 0.95)
    return row(
        workload,
        round(p95, 2) if p95 is not None else None,
        "s",
        ceiling=round(max(top, 0.01), 2),
        target=f"p95 lag ≤ {TARGET_SECONDS:g} s",
        ok=p95 is not None and p95 <= TARGET_SECONDS and failed == 0 and len(lags) == count,
        note=f"median {statistics.median(lags) if lags else float('nan'):.2f} s; "
        f"{len(lags)} of {count} slots ran, {failed} failed; {how}",
    )


def run(quick: bool) -> list[Row]:
    _setup_django()
    from ownup.monitoring.services import PROBE_THREADS

    count = 1_000 if quick else 10_000
    span = 15.0 if quick else 60.0
    spread_threads = SPREAD_WORKERS * PROBE_THREADS
    burst_threads = BURST_WORKERS * PROBE_THREADS

    def workers(processes: int) -> str:
        return f"{processes} `ownup worker` of {WORKER_THREADS} threads, SQLite"

    size = f"{count:,}".replace(",", " ")
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(SERVER_PROCESSES)],
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        for warm in range(200):
            _ask(f"{url}/{warm}")
        spread, spread_failed, spread_count = _run(count, url, span, burst=False)
        phases = [(n * 60.0 / count) % 60 for n in range(count)]
        spread_ceiling = _bare_lags(url, [p for p in phases if p < span], spread_threads)
        burst, burst_failed, _ = _run(count, url, span, burst=True)
        burst_ceiling = _bare_lags(url, [0.0] * count, burst_threads)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    return [
        _row(
            f"{size} checks each due every minute",
            spread,
            spread_ceiling,
            spread_failed,
            spread_count,
            f"{workers(SPREAD_WORKERS)}; over {span:g} s of slots; the ceiling is a bare timer "
            f"and pool of {spread_threads} threads asking the same server at the same times",
        ),
        _row(
            f"{size} checks due on the same second",
            burst,
            burst_ceiling,
            burst_failed,
            count,
            f"{workers(BURST_WORKERS)}; the ceiling is a bare pool of {burst_threads} threads "
            "asking the same server as many times",
        ),
    ]


if __name__ == "__main__":
    for found in run(quick="--quick" in sys.argv):
        print(found)
