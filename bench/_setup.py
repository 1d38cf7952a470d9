"""Django on a bench data directory, for a row module run on its own rather than by the runner."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_django(name: str) -> None:
    from django.conf import settings

    if settings.configured:
        return
    data = Path(os.environ.get("OWNUP_BENCH_DIR", ROOT / "var" / "bench")) / name
    data.mkdir(parents=True, exist_ok=True)
    os.environ["OWNUP_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ownup.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
