"""Fixtures for the containment and decision tests: a reported mistake and the CLI in-process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from typer.testing import CliRunner

from ownup.cli import get_app
from ownup.reporting import services
from ownup.reporting.models import Mistake


@pytest.fixture
def mistake(reporter: User, billing: Any) -> Mistake:
    return services.report(
        {
            "title": "Sent the March invoices with last year's prices",
            "team": "billing",
            "severity": "high",
        },
        reporter=reporter,
    )


@pytest.fixture
def ownup(admin_user: User) -> Callable[..., Any]:
    """Runs ``ownup`` as a person would type it, against this test's database."""
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(get_app(), list(args))

    return run
