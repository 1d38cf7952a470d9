"""Fixtures for the real fix: a mistake with its people, and the ``ownup`` command in-process."""

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
def mistake(reporter: User, responder: User, manager: User, billing: Any) -> Mistake:
    made = services.report(
        {
            "title": "Sent the March invoices with last year's prices",
            "description": "The invoice run used the 2025 price list.",
            "team": "billing",
        },
        reporter=reporter,
    )
    return services.update(made, {"owner": responder.username}, actor=responder)


@pytest.fixture
def secret(reporter: User, responder: User, billing: Any) -> Mistake:
    """A restricted mistake: its reporter, and bo (a billing responder), may see it."""
    return services.report(
        {
            "title": "Salary spreadsheet shared by mistake",
            "confidentiality": "restricted",
            "restricted_to": [responder.username],
            "team": "billing",
        },
        reporter=reporter,
    )


@pytest.fixture
def ownup_cli() -> Callable[..., Any]:
    """Runs ``ownup`` in-process against the test database, as ``user`` when given."""
    runner = CliRunner()

    def run(*args: str, user: User | None = None) -> Any:
        as_user = ["--user", user.get_username()] if user else []
        return runner.invoke(get_app(), [*as_user, *args])

    return run
