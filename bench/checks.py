"""How late do effectiveness checks start when 10 000 of them are due in the same minute?

One minute's slot for every check, the real dispatcher and the real Huey queue with one
``ownup worker`` (two threads, as it starts by default), HTTP probes against a local server in a
process of its own. The figure is the 95th percentile of the lag between a slot's due time and
its run's start; the ceiling is the same lag for a bare pool of as many threads asking the same
server the same number of times, with no queue and no database: what this machine allows.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bench.rows import Row, percentile, row

WORKER_THREADS = 2  # `ownup worker` starts two by default
TARGET_SECONDS = 5.0

SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass

class Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the default backlog of 5 drops connections under load
    daemon_threads = True

server = Server(("127.0.0.1", 0), Ok)
print(server.server_address[1], flush=True)
server.serve_forever()
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


def _bare_pool_lag(url: str, count: int, threads: int) -> float:
    """p95 seconds from the start to each request's start, for a plain thread pool."""
    began = time.perf_counter()

    def ask(_: int) -> float:
        started = time.perf_counter() - began
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                answer.read()
        except OSError:
            pass  # an overloaded server is the machine's limit, not a reason to stop
        return started

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return percentile(list(pool.map(ask, range(count))), 0.95)


def _lag(count: int, url: str) -> tuple[float, float, int]:
    from django.contrib.auth.models import User
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from ownup.monitoring import tasks
    from ownup.monitoring.models import CheckRun, EffectivenessCheck, Kind
    from ownup.reporting import services as reporting
    from ownup.reporting.models import Stage

    user, _ = User.objects.get_or_create(username="bench-checks", defaults={"is_superuser": True})
    mistake = reporting.report({"title": "Checkout lost the basket under load"}, reporter=user)
    type(mistake).objects.filter(pk=mistake.pk).update(stage=Stage.MONITORING)
    now = timezone.now()
    slot = now.replace(microsecond=0)
    EffectivenessCheck.objects.bulk_create(
        [
            EffectivenessCheck(
                mistake=mistake,
                kind=Kind.HTTP,
                name=f"shop {n} answers",
                config={"url": f"{url}/{n}", "expected_status": 200, "timeout": 5.0},
                interval_minutes=1,
                active=True,
                window_started_at=slot - timedelta(minutes=1),
                next_due_at=slot,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    HUEY.flush()
    consumer = HUEY.create_consumer(workers=WORKER_THREADS, worker_type="thread", periodic=False)
    consumer.start()
    try:
        tasks.dispatch_due_checks.call_local()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            runs = CheckRun.objects.filter(check_ref__mistake=mistake)
            if runs.count() >= count and not runs.filter(outcome="running").exists():
                break
            time.sleep(0.5)
    finally:
        consumer.stop(graceful=True)
    starts = CheckRun.objects.filter(check_ref__mistake=mistake).values_list(
        "started_at", "outcome"
    )
    lags = [(started - slot).total_seconds() for started, _ in starts if started]
    failed = sum(1 for _, outcome in starts if outcome != "passed")
    mistake.delete()
    return percentile(lags, 0.95), statistics.median(lags), failed


def run(quick: bool) -> list[Row]:
    _setup_django()
    from ownup.monitoring.services import PROBE_THREADS

    count = 1_000 if quick else 10_000
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        ceiling = _bare_pool_lag(url, count, WORKER_THREADS * PROBE_THREADS)
        p95, median, failed = _lag(count, url)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return [
        row(
            f"{count:,} checks due each minute".replace(",", " "),
            round(p95, 2),
            "s",
            ceiling=round(ceiling, 2),
            target=f"p95 lag ≤ {TARGET_SECONDS:g} s",
            ok=p95 <= TARGET_SECONDS and failed == 0,
            note=f"median {median:.1f} s; {failed} of {count} runs failed; the ceiling is a bare "
            f"pool of {WORKER_THREADS * PROBE_THREADS} threads asking the same server",
        )
    ]


if __name__ == "__main__":
    for found in run(quick="--quick" in sys.argv):
        print(found)
