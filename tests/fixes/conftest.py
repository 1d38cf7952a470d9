"""Fixtures for the real fix: a mistake with its people, and the ``ownup`` command in-process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from typer.testing import CliRunner

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


@dataclass
class CliResult:
    exit_code: int
    output: str


def _run_ownup(*args: str, user: User | None = None) -> CliResult:
    """Runs ``ownup`` as ``ownup.cli.main`` does, refusals included, against the test database."""
    import ownup.commands  # noqa: F401  (the instance's own commands)
    from ownup import cli

    if not any(c.name == "action" for c in cli.app.registered_groups):
        cli._register_app_commands()
    argv = [*(["--user", user.get_username()] if user else []), *args]
    result = CliRunner().invoke(cli.app, argv, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        if isinstance(result.exception, cli._refusals()):
            error = result.exception
            message = "; ".join(error.messages) if hasattr(error, "messages") else str(error)
            return CliResult(getattr(error, "code", 1), result.output + "error: " + message)
        raise result.exception
    return CliResult(result.exit_code, result.output)


@pytest.fixture
def ownup_cli() -> Callable[..., CliResult]:
    return _run_ownup
