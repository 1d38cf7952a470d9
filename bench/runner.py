"""Runs every row module, each in a process of its own, and prints and saves one table.

A module that does not exist yet gives "not built" rows; one that fails or runs too long gives a
row that says so; neither stops the others.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.rows import Row, not_built, row

ROOT = Path(__file__).resolve().parent.parent


def bench_dir() -> Path:
    """Where data sets, servers' data directories and the results live."""
    return Path(os.environ.get("OWNUP_BENCH_DIR", ROOT / "var" / "bench")).resolve()


@dataclass(frozen=True)
class Module:
    """A row module and the rows it stands for while it is not built."""

    name: str
    workloads: list[tuple[str, str]] = field(default_factory=list)  # (workload, target)
    # Whether the runner sets up and migrates a database of its own for the module.
    needs_database: bool = True


MODULES = [
    Module(
        "serving",
        [
            ("report a mistake, SQLite, 32 clients", "≥ 50 % of ceiling req/s, p99 ≤ 50 ms"),
            ("report a mistake, PostgreSQL, 32 clients", "≥ 50 % of ceiling req/s"),
        ],
        needs_database=False,
    ),
    Module("listing", [("list page of 50 with 100 000 mistakes", "≤ 100 ms")]),
    Module("cli", [("CLI ownup report, whole process", "≤ 0.5 s")]),
    Module("touchpoints", [("touch-point walk", "≤ 50 ms")]),
    Module(
        "search",
        [
            ("search over 1 000 000 mistakes", "p95 ≤ 50 ms and ≤ 2 times raw FTS5"),
            ("similar mistakes for a new report", "≤ 200 ms"),
        ],
    ),
    Module("dashboard", [("dashboard over 1 000 000 mistakes", "≤ 500 ms")]),
    Module(
        "checks",
        [
            ("10 000 checks each due every minute", "p95 lag ≤ 5 s"),
            ("10 000 checks due on the same second", "p95 lag ≤ 5 s"),
        ],
    ),
    Module("importing", [("import", "≥ 10 000 records/s")]),
]

# A whole run may take 15 minutes, a quick one 2; one module never takes all of it.
TIME_LIMIT_S = {False: 600, True: 120}


def is_built(module: Module) -> bool:
    return find_spec(f"bench.{module.name}") is not None


def module_rows(module: Module, quick: bool) -> list[Row]:
    """The module's rows, measured in a child process; rows that say why when it cannot."""
    if not is_built(module):
        return [not_built(workload, target) for workload, target in module.workloads]
    # The quick run's small data sets are kept apart, so switching never remakes the large ones.
    data_dir = bench_dir() / "quick" / module.name if quick else bench_dir() / module.name
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(OWNUP_DATA_DIR=str(data_dir), OWNUP_BENCH_DIR=str(bench_dir()))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "bench.child", module.name, out.name]
        if quick:
            command.append("--quick")
        if not module.needs_database:
            command.append("--no-database")
        limit = TIME_LIMIT_S[quick]
        child = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            stdout, stderr = child.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            # Asked to stop, the child stops what it started (a server, a load) on its way out.
            child.terminate()
            try:
                child.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
            return [_broken(module, f"stopped after {limit} s")]
        if child.returncode != 0:
            last = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
            return [_broken(module, f"failed: {last[0][:200]}")]
        rows: list[Row] = json.loads(Path(out.name).read_text())
    return rows


def _broken(module: Module, why: str) -> Row:
    workload = module.workloads[0][0] if module.workloads else module.name
    return row(f"{workload} ({module.name})", None, "", ok=False, note=why)


def run(quick: bool, only: set[str] | None = None) -> dict[str, Any]:
    """Every module's rows (or only the named modules'), with when and where they were taken."""
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    console = Console(stderr=True)
    rows: list[Row] = []
    for module in MODULES:
        if only is not None and module.name not in only:
            continue
        with console.status(f"bench: {module.name}{' (quick)' if quick else ''}…"):
            rows.extend(module_rows(module, quick))
    return {
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "took_s": round(time.monotonic() - started, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
            # Other work on the same cores slows every figure: the ratios stay comparable.
            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        },
        "commit": _commit(),
        "rows": rows,
    }


def _commit() -> str:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return ""
    return found.stdout.strip()


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _result(found: Row) -> str:
    note = found.get("note", "")
    if found["figure"] is None:
        return f"[yellow]{note}[/]" if found["ok"] is None else f"[red]{note}[/]"
    verdict = {True: "[green]ok[/]", False: "[bold red]misses target[/]", None: ""}[found["ok"]]
    return " · ".join(part for part in (verdict, note) if part)


def table(results: dict[str, Any]) -> Table:
    title = f"ownup bench{' (quick)' if results['quick'] else ''}: medians"
    caption = (
        f"{results['taken_at']} · commit {results['commit'] or '?'} · "
        f"{results['machine']['cpus']} CPUs, load "
        f"{' → '.join(map(str, results['machine']['load_average']))} · "
        f"took {results['took_s']} s · "
        "ratio = figure / ceiling, both measured in this run"
    )
    shown = Table(title=title, caption=caption, title_justify="left")
    shown.add_column("workload")
    shown.add_column("figure", justify="right")
    shown.add_column("unit")
    shown.add_column("ceiling", justify="right")
    shown.add_column("ratio", justify="right")
    shown.add_column("target")
    shown.add_column("result")
    for found in results["rows"]:
        ratio = found["ratio"]
        shown.add_row(
            found["workload"],
            _number(found["figure"]),
            found["unit"],
            _number(found["ceiling"]),
            "—" if ratio is None else f"{ratio:.2f}x",
            found["target"],
            _result(found),
        )
    return shown


def save(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
