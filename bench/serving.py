"""Reporting a mistake over the API under load, beside a bare Django view on the same server.

The server is started as ``make run`` starts it (``ownup serve --no-worker``: gunicorn, gthread),
on a free port, with a data directory of its own; the load comes from wrk, a second process on
127.0.0.1, and every run of it is bounded in time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.rows import Row, median, not_built, row

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 32
POSTGRES_URL = os.environ.get("OWNUP_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
POSTGRES_DATABASE = "ownup_bench"
REQ_TARGET = 0.5
P99_TARGET_MS = 50.0

REPORT_BODY = json.dumps(
    {
        "title": "Sent the March invoices with last year's prices",
        "description": "The invoice run used the old price list.",
        "discovered_by": "self",
    }
)

# Each wrk thread stops after so many answers, whatever the time left: a run is bounded in
# count as well as in time.
MAX_REQUESTS_PER_THREAD = 100_000

# wrk writes its summary as one JSON line, from the figures it keeps for the whole run.
WRK_SUMMARY = f"""
local answered = 0
response = function(status, headers, body)
  answered = answered + 1
  if answered >= {MAX_REQUESTS_PER_THREAD} then wrk.thread:stop() end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"errors": {{"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


# A run in which a web process did less than this share of the processes' work is run again: wrk
# opens its connections at once and keeps them, and whichever process accepts them serves them
# for the whole run, so one process busy a moment longer at the start (finishing the requests of
# the run before) can leave the other to serve nearly all of them, on one of the two cores.
LEAST_SHARE = 0.25
RUNS_PER_LOAD = 3


@dataclass
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]  # wrk's failed requests by kind: connect, read, write, status, timeout
    least_share: float = 0.5  # the smallest share of the CPU any web process spent on it
    runs: int = 1  # how many runs it took to have one shared by the processes


@dataclass
class Server:
    base: str
    group: int  # the process group of ``ownup serve`` and its web processes

    def worker_cpu(self) -> dict[int, float]:
        """The CPU seconds each web process (a gunicorn worker) has used."""
        ticks = os.sysconf("SC_CLK_TCK")
        stats: dict[int, list[str]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # The fields after the command's name: state, parent, group, ...
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
        in_group = {pid: f for pid, f in stats.items() if int(f[2]) == self.group}
        # The workers are the processes whose parent is gunicorn's own, itself in the group.
        parents = {int(f[1]) for f in in_group.values()}
        arbiters = {pid for pid in parents if pid in in_group and int(in_group[pid][1]) in in_group}
        return {
            pid: (int(f[11]) + int(f[12])) / ticks
            for pid, f in in_group.items()
            if int(f[1]) in arbiters
        }

    def load(self, path: str, script: Path, seconds: int) -> Load:
        """wrk on ``path``, run again (up to RUNS_PER_LOAD in all) while one web process did
        less than LEAST_SHARE of the work."""
        for attempt in range(1, RUNS_PER_LOAD + 1):
            before = self.worker_cpu()
            load = _wrk(self.base + path, script, seconds)
            after = self.worker_cpu()
            used = [after[pid] - before[pid] for pid in after.keys() & before.keys()]
            load.runs = attempt
            if len(used) > 1 and sum(used) > 0:
                load.least_share = min(used) / sum(used)
            if load.least_share >= LEAST_SHARE:
                break
        return load


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wrk(url: str, script: Path, seconds: int) -> Load:
    done = subprocess.run(
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(CLIENTS),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--script",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return Load(
        requests_per_s=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=summary["errors"],
    )


def _scripts(folder: Path, token: str) -> tuple[Path, Path]:
    bare = folder / "bare.lua"
    bare.write_text(WRK_SUMMARY)
    report = folder / "report.lua"
    report.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(REPORT_BODY)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n' + WRK_SUMMARY
    )
    return bare, report


@contextmanager
def _server(env: dict[str, str], port: int) -> Iterator[Server]:
    """``ownup serve --no-worker`` on ``port``, stopped (with its gunicorn) when done."""
    log = open(Path(env["OWNUP_DATA_DIR"]) / "server.log", "wb")  # noqa: SIM115
    # Each answer logged with its status and the microseconds the server took over it, so a
    # failed or slow run can be read afterwards in server.log.
    logged = {**env, "GUNICORN_CMD_ARGS": "--access-logformat '%(s)s %(D)s %(m)s %(U)s'"}
    server = subprocess.Popen(
        [sys.executable, "-m", "ownup", "serve", "--no-worker", "--port", str(port)],
        cwd=ROOT,
        env=logged,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/bench/bare", timeout=2):
                    break
            except OSError:  # refused, reset or timed out while it starts
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {log.name}") from None
                time.sleep(0.2)
        yield Server(base, server.pid)  # its own session: its process group has its pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _measure(label: str, env: dict[str, str], quick: bool, *, p99_target: bool) -> list[Row]:
    data_dir = Path(env["OWNUP_DATA_DIR"])
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    token = subprocess.run(
        [sys.executable, "-m", "bench.serverdata"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    bare_script, report_script = _scripts(data_dir, token)
    seconds, rounds = (3, 1) if quick else (10, 3)
    bare: list[Load] = []
    one_row: list[Load] = []
    report: list[Load] = []
    with _server(env, _free_port()) as server:
        # Warm the paths up before measuring: how the processes share this does not matter.
        _wrk(server.base + "/bench/bare", bare_script, 2)
        _wrk(server.base + "/bench/bare-write", bare_script, 2)
        _wrk(server.base + "/api/v1/mistakes", report_script, 2)
        # Alternate them, so a slower moment of a shared machine weighs on all alike.
        for _ in range(rounds):
            bare.append(server.load("/bench/bare", bare_script, seconds))
            one_row.append(server.load("/bench/bare-write", bare_script, seconds))
            report.append(server.load("/api/v1/mistakes", report_script, seconds))
    rate = median(r.requests_per_s for r in report)
    ceiling_rate = median(r.requests_per_s for r in bare)
    p50 = median(r.p50_ms for r in report)
    p99 = median(r.p99_ms for r in report)
    # By kind, so a failed run says why: "status" is an answer of 400 or more, "timeout" one
    # later than wrk's 10 s, the others the connection's.
    errors = Counter[str]()
    for load in report:
        errors.update(load.errors)
    failed = ", ".join(f"{n} {kind}" for kind, n in sorted(errors.items()) if n)
    runs = f"{rounds} run{'s' if rounds > 1 else ''} of {seconds} s"
    loads = [*bare, *one_row, *report]
    if again := sum(load.runs - 1 for load in loads):
        runs += f"; {again} run again for one process serving most"
    if lopsided := sum(load.least_share < LEAST_SHARE for load in loads):
        runs += f"; {lopsided} still lopsided"
    workload = f"report a mistake, {label}, {CLIENTS} clients"
    return [
        row(
            workload,
            rate,
            "req/s",
            ceiling=ceiling_rate,
            target=f"≥ {REQ_TARGET:.0%} of ceiling".replace("%", " %"),
            ok=rate >= REQ_TARGET * ceiling_rate and not failed,
            note=f"failed requests: {failed}" if failed else f"ceiling: bare view; {runs}",
        ),
        row(
            f"{workload}: p50",
            p50,
            "ms",
            ceiling=median(r.p50_ms for r in bare),
        ),
        row(
            f"{workload}: p99",
            p99,
            "ms",
            ceiling=median(r.p99_ms for r in bare),
            target=f"≤ {P99_TARGET_MS:.0f} ms" if p99_target else "",
            ok=p99 <= P99_TARGET_MS if p99_target else None,
        ),
        row(
            f"for reference: a bare view writing one row, {label}, {CLIENTS} clients",
            median(r.requests_per_s for r in one_row),
            "req/s",
            ceiling=ceiling_rate,
            note=(
                "what any write takes from the bare view: one ORM INSERT in a transaction; "
                f"p99 {median(r.p99_ms for r in one_row):.0f} ms"
            ),
        ),
    ]


def _postgres_database() -> str | None:
    """A fresh database of the bench's own, or None when no PostgreSQL answers."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    except psycopg.Error:
        return None
    return POSTGRES_URL.rstrip("/") + "/" + POSTGRES_DATABASE


def _drop_postgres_database() -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")


def run(quick: bool) -> list[Row]:
    sqlite_label, postgres_label = "SQLite", "PostgreSQL"
    workloads = [
        f"report a mistake, {name}, {CLIENTS} clients" for name in (sqlite_label, postgres_label)
    ]
    if shutil.which("wrk") is None:
        return [not_built(w, note="needs wrk: apt-get install wrk") for w in workloads]
    bench_dir = Path(os.environ["OWNUP_BENCH_DIR"])
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    base_env.update(
        DJANGO_SETTINGS_MODULE="bench.server_settings",
        PYTHONPATH=str(ROOT),
        OWNUP_LOG_LEVEL="ERROR",
    )
    rows = _measure(
        sqlite_label,
        {**base_env, "OWNUP_DATA_DIR": str(bench_dir / "serving-sqlite")},
        quick,
        p99_target=True,
    )
    database_url = _postgres_database()
    if database_url is None:
        return [*rows, not_built(workloads[1], note=f"no PostgreSQL answers at {POSTGRES_URL}")]
    try:
        rows += _measure(
            postgres_label,
            {
                **base_env,
                "OWNUP_DATA_DIR": str(bench_dir / "serving-postgres"),
                "DATABASE_URL": database_url,
            },
            quick,
            p99_target=False,
        )
    finally:
        _drop_postgres_database()
    return rows
