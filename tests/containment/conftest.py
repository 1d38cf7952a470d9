"""Fixtures for the containment and decision tests: a reported mistake and the CLI in-process."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User

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


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: Any, monkeypatch: Any) -> Callable[..., CliResult]:
    """Runs ``ownup`` as a person would type it, in this process and this test's database."""
    from ownup import cli

    def run(*args: str, user: str | None = None) -> CliResult:
        argv = ["ownup", *(["--user", user] if user else []), *args]
        monkeypatch.setattr(sys, "argv", argv)
        capsys.readouterr()
        code = 0
        try:
            cli.main()
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
