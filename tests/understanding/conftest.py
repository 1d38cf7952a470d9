"""A small catalogue and a mistake to understand, and the CLI run as a user runs it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ownup.reporting import services as reporting
from ownup.reporting.models import Mistake
from ownup.understanding import transfer

CATALOGUE = """
entities:
  - {key: invoicing, name: Invoicing system, kind: system, owners: [bo]}
  - {key: billing-run, name: Monthly invoice run, kind: process, owners: [bo]}
  - {key: price-list, name: Price list 2026, kind: document, owners: [ada]}
  - {key: acme, name: Acme Ltd, kind: customer, owners: [ada]}
  - {key: globex, name: Globex, kind: customer}
  - {key: team-billing, name: Billing team, kind: team}
  - {key: payflow, name: PayFlow, kind: vendor}
relations:
  - {from: billing-run, type: uses, to: price-list}
  - {from: invoicing, type: uses, to: price-list}
  - {from: invoicing, type: serves, to: acme}
  - {from: invoicing, type: serves, to: globex}
  - {from: billing-run, type: owned by, to: team-billing}
  - {from: acme, type: depends on, to: invoicing}
  - {from: payflow, type: depends on, to: invoicing}
"""


@pytest.fixture
def catalogue(responder: Any, manager: Any) -> None:
    """Invoicing serves two customers and uses the price list, as does the invoice run."""
    transfer.import_catalog(CATALOGUE, "yaml")


@pytest.fixture
def mistake(reporter: Any, billing: Any) -> Mistake:
    return reporting.report(
        {"title": "Sent the March invoices with last year's prices", "team": "billing"},
        reporter=reporter,
    )


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def ownup(capsys: Any, monkeypatch: Any) -> Callable[..., CliResult]:
    """Run ``ownup ARGS`` in this process, against the test database, as a user would."""
    from ownup import cli

    def run(*args: str, stdin: str | None = None) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["ownup", *args])
        monkeypatch.setattr(cli.state, "username", None)
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        capsys.readouterr()
        try:
            cli.main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
