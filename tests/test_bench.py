"""The bench's quick version, run for real so the suite notices when it rots.

Only the list page row runs here: it makes its seeded data set and measures in-process in a few
seconds. The served rows (wrk for half a minute against two servers) and the CLI row (a dozen
whole processes) are too slow for the suite; ``make bench QUICK=1`` runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import get_type_hints

from bench.rows import Row, percentile, row
from bench.runner import ROOT, Module, module_rows


def test_quick_run_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    output = tmp_path / "latest.json"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(OWNUP_BENCH_DIR=str(tmp_path), COLUMNS="200")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "listing", "--output", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "list page of 50 with 10 000 mistakes" in done.stdout

    results = json.loads(output.read_text())
    assert results["quick"] is True
    [listing] = results["rows"]
    assert set(get_type_hints(Row)) >= set(listing) >= set(Row.__required_keys__)
    assert listing["unit"] == "ms"
    assert 0 < listing["figure"] < 10_000
    assert listing["ok"] is (listing["figure"] <= 100)
    # The data set is kept for the next run, in the module's own data directory.
    assert (tmp_path / "quick" / "listing" / "dataset.json").exists()


def test_a_module_not_built_yet_gives_rows_that_say_so() -> None:
    rows = module_rows(Module("no_such_rows", [("a feature to come", "≤ 1 ms")]), quick=True)
    assert rows == [
        {
            "workload": "a feature to come",
            "figure": None,
            "unit": "",
            "ceiling": None,
            "ratio": None,
            "target": "≤ 1 ms",
            "ok": None,
            "note": "not built",
        }
    ]


def test_ratio_is_the_figure_over_its_ceiling() -> None:
    assert row("w", 30.0, "req/s", ceiling=120.0)["ratio"] == 0.25
    assert row("w", 30.0, "ms")["ratio"] is None
    assert percentile(range(1, 101), 0.95) == 95
