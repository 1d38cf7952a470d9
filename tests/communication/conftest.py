"""Fixtures for telling: the fixes' mistake and CLI, and running retries as the worker would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.fixes.conftest import mistake, ownup_cli, secret  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def blame_terms(request: pytest.FixtureRequest) -> None:
    """The seeded word list, also after a test that committed and emptied the database."""
    uses_commits = "transactional_db" in request.fixturenames or "run_tasks" in request.fixturenames
    request.getfixturevalue("transactional_db" if uses_commits else "db")
    from ownup.communication.defaults import BLAME_TERMS
    from ownup.communication.models import BlameTerm

    if not BlameTerm.objects.exists():
        BlameTerm.objects.bulk_create(BlameTerm(phrase=p, suggestion=s) for p, s in BLAME_TERMS)


@pytest.fixture
def run_retries(run_tasks: Callable[[], list[Any]]) -> Iterator[Callable[[timedelta], list[Any]]]:
    """Moves the clock past a retry's delay and runs what the worker's scheduler would then run."""

    def run(after: timedelta) -> list[Any]:
        with time_machine.travel(timezone.now() + after, tick=False):
            for task in HUEY.read_schedule():
                HUEY.enqueue(task)
            return run_tasks()

    return run


def scheduled_count() -> int:
    return HUEY.scheduled_count()
