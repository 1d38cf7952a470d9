"""One row module's run, in a process of its own: ``python -m bench.child NAME OUT [--quick]``.

Django is set up (and, unless told otherwise, migrated) on the data directory the runner chose,
then the module's ``run(quick)`` rows are written to OUT as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from importlib import import_module
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.child")
    parser.add_argument("module")
    parser.add_argument("out", type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-database", action="store_true")
    given = parser.parse_args()
    # Stopped by the runner, unwind: the module's ``finally`` blocks stop what it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.server_settings")
    import django

    django.setup()
    if not given.no_database:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    module = import_module(f"bench.{given.module}")
    rows = module.run(given.quick)
    given.out.write_text(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
