"""``ownup report "..."`` as a whole process, beside the start of a Python that does nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.rows import Row, median, row, timed

TARGET_S = 0.5


def _ensure_admin() -> None:
    from django.contrib.auth.models import User

    from ownup.organisation.services import create_user

    if not User.objects.filter(is_superuser=True, is_active=True).exists():
        create_user("bench", email="bench@example.com", admin=True)


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True, env=_production_env())


def _production_env() -> dict[str, str]:
    # As a person runs it: the production settings, on the bench's data directory.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["OWNUP_DATA_DIR"] = os.environ["OWNUP_DATA_DIR"]
    return env


def run(quick: bool) -> list[Row]:
    _ensure_admin()
    ownup = str(Path(sys.executable).parent / "ownup")
    repeat = 3 if quick else 11
    report = [ownup, "report", "Sent the weekly stock report to the wrong customer"]
    _run(report)  # the first run compiles what it imports; a person's second run does not
    figure = median(timed(lambda: _run(report), repeat))
    ceiling = median(timed(lambda: _run([sys.executable, "-c", "pass"]), repeat))
    return [
        row(
            "CLI ownup report, whole process",
            figure,
            "s",
            ceiling=ceiling,
            target=f"≤ {TARGET_S} s",
            ok=figure <= TARGET_S,
            note=f"ceiling: python -c pass; {repeat} runs",
        )
    ]
