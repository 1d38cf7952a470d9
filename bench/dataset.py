"""Seeded data sets of mistakes, bulk-inserted once and kept in the module's data directory.

The same seed and size give the same rows on every machine, so two runs measure the same work;
a data set already there with the asked size is kept, so only the first run pays for it.
"""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ownup.organisation.models import Team

SEED = 20260301
BATCH = 5_000
TITLES = [
    "Sent the {} invoices with last year's prices",
    "Deleted the shared {} folder while tidying up",
    "Deployed the {} change without the new keys",
    "Missed the {} filing deadline by a day",
    "Gave the wrong dose of {} to a patient",
    "Emailed the {} salary sheet to the whole team",
    "Restored the {} backup over live data",
    "Shipped {} orders to the old address",
]
WORDS = ["March", "payroll", "checkout", "VAT", "amoxicillin", "Q3", "contracts", "warehouse"]


def _marker() -> Path:
    return Path(os.environ["OWNUP_DATA_DIR"]) / "dataset.json"


def ensure_mistakes(count: int, *, seed: int = SEED) -> None:
    """``count`` seeded mistakes in the database, made now unless they are there already."""
    from django.db import transaction

    from ownup.reporting.models import Mistake

    wanted = {"seed": seed, "count": count}
    marker = _marker()
    kept = marker.exists() and json.loads(marker.read_text()) == wanted
    if kept and Mistake.objects.count() == count:
        return
    with transaction.atomic():
        Mistake.objects.all().delete()
        _insert(count, random.Random(seed))
    marker.write_text(json.dumps(wanted))


def _people() -> tuple[list[Team], list[User]]:
    from ownup.organisation.models import Role, Team
    from ownup.organisation.services import create_user, join_team

    teams: list[Team] = []
    for slug in ("billing", "platform", "pharmacy"):
        team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
        teams.append(team)
    from django.contrib.auth.models import User

    users: list[User] = []
    for index in range(12):
        name = f"person{index}"
        user = User.objects.filter(username=name).first()
        if user is None:
            user = create_user(name, email=f"{name}@example.com")
            join_team(user, teams[index % len(teams)], list(Role)[index % len(Role)])
        users.append(user)
    return teams, users


def _insert(count: int, chance: random.Random) -> None:
    from ownup.organisation.models import Severity
    from ownup.reporting.models import (
        Confidentiality,
        DiscoveredBy,
        Harm,
        Mistake,
        Stage,
    )

    teams, users = _people()
    severities = list(Severity.objects.all())
    start = datetime(2026, 3, 1, tzinfo=UTC)
    confidentiality = [Confidentiality.OPEN] * 8 + [Confidentiality.TEAM, Confidentiality.ANONYMOUS]
    for first in range(0, count, BATCH):
        batch = []
        for _ in range(first, min(first + BATCH, count)):
            reported = start - timedelta(minutes=chance.randrange(5 * 365 * 24 * 60))
            kind = chance.choice(confidentiality)
            batch.append(
                Mistake(
                    title=chance.choice(TITLES).format(chance.choice(WORDS)),
                    reported_at=reported,
                    noticed_at=reported - timedelta(minutes=chance.randrange(600)),
                    discovered_by=chance.choice(DiscoveredBy.values),
                    harm=chance.choice(Harm.values),
                    severity=chance.choice(severities),
                    team=chance.choice(teams),
                    reporter=None if kind == Confidentiality.ANONYMOUS else chance.choice(users),
                    owner=chance.choice(users),
                    confidentiality=kind,
                    stage=chance.choice(Stage.values),
                )
            )
        Mistake.objects.bulk_create(batch)
