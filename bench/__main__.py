"""``python -m bench [--quick] [--only NAME,...]``: the table, and var/bench/latest.json."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from bench.runner import MODULES, bench_dir, run, save, table


def main() -> None:
    names = [module.name for module in MODULES]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="A small version, in under 2 min.")
    parser.add_argument(
        "--only", default="", help=f"Comma-separated modules to run, of: {', '.join(names)}."
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="Where to write the JSON (var/bench/latest.json)."
    )
    given = parser.parse_args()
    only = {name.strip() for name in given.only.split(",") if name.strip()} or None
    if only and (unknown := only - set(names)):
        parser.error(f"no module named {', '.join(sorted(unknown))}; choose of {', '.join(names)}")
    results = run(given.quick, only)
    output = given.output or bench_dir() / "latest.json"
    save(results, output)
    console = Console()
    console.print(table(results))
    console.print(f"Written to {output}")


if __name__ == "__main__":
    main()
