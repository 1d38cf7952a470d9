"""The reporting tests exercise the stage machine on its own."""

from typing import Any

import pytest

from ownup.reporting import stages
from ownup.reporting.models import Stage
from tests.fixes.conftest import ownup_cli, secret

__all__ = ["ownup_cli", "secret"]


@pytest.fixture(autouse=True)
def _stage_machine_alone(monkeypatch: Any) -> None:
    """Set aside the needs the other apps register for each stage (each app tests its own), so
    these tests see the stage machine's rules alone."""
    monkeypatch.setattr(stages, "_requirements", {stage: [] for stage in Stage})
