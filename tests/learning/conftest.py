from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from ownup.reporting import services
from ownup.reporting.models import Mistake


@pytest.fixture
def report(db: Any) -> Callable[..., Mistake]:
    """Report a mistake through the real service, as the web, API and CLI do."""

    def make(title: str, *, by: User, **fields: Any) -> Mistake:
        return services.report({"title": title, **fields}, reporter=by)

    return make
