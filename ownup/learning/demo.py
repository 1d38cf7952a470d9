"""The library's part of the demo: two older billing mistakes, closed long ago.

With them the March invoices have a history: the report form and the mistake's page show them
as similar mistakes, and the library shows billing as something that keeps happening.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from ownup.reporting import services
from ownup.reporting.models import Mistake, Stage

# reporter, days ago, minutes from noticing to reporting, fields, what was done (a timeline note)
PAST: list[tuple[str, int, int, dict[str, Any], str]] = [
    (
        "bo",
        150,
        40,
        {
            "title": "Quarterly invoices went out with the old price list",
            "description": "The price list import failed silently and the invoice run used the "
            "previous quarter's prices for 38 customers.",
            "discovered_by": "customer",
            "harm": "reached_no_harm",
            "severity": "medium",
            "tags": ["billing", "invoices", "prices"],
        },
        "Credit notes sent to the 38 customers; the invoice run now stops when the price list "
        "import did not finish.",
    ),
    (
        "cy",
        290,
        15,
        {
            "title": "Credit notes calculated with last year's VAT rate",
            "description": "The VAT rate table was updated in the test system only.",
            "discovered_by": "self",
            "harm": "did_not_reach",
            "severity": "medium",
            "tags": ["billing", "prices"],
        },
        "Rates moved to one shared table, checked by a test before each month's run.",
    ),
]


def load(mistakes: dict[str, Mistake]) -> None:
    from ownup.demo import _move_to

    for username, days_ago, minutes, fields, what_was_done in PAST:
        person = User.objects.get(username=username)
        mistake = services.report({**fields, "team": "billing"}, reporter=person, announce=False)
        reported_at = timezone.now() - timedelta(days=days_ago)
        Mistake.objects.filter(pk=mistake.pk).update(
            reported_at=reported_at,
            noticed_at=reported_at - timedelta(minutes=minutes),
            owner=person,
        )
        mistake.timeline.update(at=reported_at, recorded_at=reported_at)
        mistake.refresh_from_db()
        services.add_note(mistake, what_was_done, actor=person, at=reported_at + timedelta(hours=3))
        _move_to(mistake, Stage.CLOSED, person)
