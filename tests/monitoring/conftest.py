"""Fixtures for monitoring: a mistake whose fix is ready to be checked, and ways to drive it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User

from ownup.monitoring import services
from ownup.monitoring.models import EffectivenessCheck
from ownup.reporting import services as reporting
from ownup.reporting import stages
from ownup.reporting.models import Mistake, Stage

# A whole minute, so the slots the scheduler computes are easy to name in assertions.
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def start(time_machine: Any) -> datetime:
    time_machine.move_to(START, tick=False)
    return START


@pytest.fixture
def fixed_mistake(reporter: User, responder: User) -> Mistake:
    """Reported by cy in billing, owned by cy, with its real fix done."""
    mistake = reporting.report(
        {
            "title": "Sent the March invoices with last year's prices",
            "team": "billing",
            "owner": "cy",
            "tags": ["billing", "invoices"],
        },
        reporter=reporter,
    )
    return stages.move(mistake, Stage.FIXED, actor=reporter, reason="contained on the phone")


@pytest.fixture
def add_check(reporter: User) -> Callable[..., EffectivenessCheck]:
    def add(mistake: Mistake, **data: Any) -> EffectivenessCheck:
        data.setdefault("name", "The price list service answers")
        data.setdefault("kind", "http")
        return services.add_check(mistake, data, actor=data.pop("actor", reporter))

    return add


@pytest.fixture
def monitor(reporter: User) -> Callable[[Mistake], Mistake]:
    def move(mistake: Mistake) -> Mistake:
        return stages.move(mistake, Stage.MONITORING, actor=reporter, reason="told on the phone")

    return move


@pytest.fixture
def run_next(time_machine: Any) -> Callable[[EffectivenessCheck], datetime]:
    """Moves the clock to the check's next slot and runs what is due then, as the worker would;
    returns the slot, and leaves the check as the run left it."""

    def run(check: EffectivenessCheck) -> datetime:
        check.refresh_from_db()
        slot = check.next_due_at
        assert slot is not None, "the check has no slot to come"
        time_machine.move_to(slot, tick=False)
        for batch in services.dispatch():
            services.run_slots(batch)
        check.refresh_from_db()
        return slot

    return run


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Runs ``ownup`` in-process against the test database."""
    from typer.testing import CliRunner

    from ownup.cli import get_app

    runner = CliRunner()
    return lambda *args: runner.invoke(get_app(), list(args))
