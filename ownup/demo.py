"""A demo organisation: people, two teams and mistakes in several stages, told as real stories.

Each app of the lifecycle may add its part with a ``demo`` module whose ``load(mistakes)`` gets
the demo mistakes by key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ownup.organisation.models import Organisation, Role, Team
from ownup.organisation.services import create_user, join_team
from ownup.reporting import services, stages
from ownup.reporting.changes import mistakes_changed
from ownup.reporting.models import Mistake, Stage, TimelineEntry
from ownup.seams import app_modules

DEMO_PASSWORD = "ownup-demo"

PEOPLE = [
    # username, full name, admin, team, role
    ("ada", "Ada Lovelace", True, "billing", Role.MANAGER),
    ("bo", "Bo Jensen", False, "billing", Role.RESPONDER),
    ("cy", "Cy Okafor", False, "billing", Role.REPORTER),
    ("dee", "Dee Marsh", False, "platform", Role.MANAGER),
    ("eli", "Eli Navarro", False, "platform", Role.RESPONDER),
]

# key, reporter, team, stage reached, days ago, minutes from noticing to reporting, fields
MISTAKES: list[tuple[str, str, str, Stage, int, int, dict[str, Any]]] = [
    (
        "invoices",
        "cy",
        "billing",
        Stage.CONTAINED,
        2,
        12,
        {
            "title": "Sent the March invoices with last year's prices",
            "description": "The invoice run used the 2025 price list: 214 customers were billed "
            "between 3% and 8% less than their contracts say.",
            "discovered_by": "self",
            "harm": "reached_no_harm",
            "severity": "high",
            "tags": ["billing", "invoices", "prices"],
        },
    ),
    (
        "deploy",
        "eli",
        "platform",
        Stage.UNDERSTOOD,
        6,
        4,
        {
            "title": "A deploy on Friday broke checkout for 25 minutes",
            "description": "A configuration change shipped without the new payment keys.",
            "discovered_by": "check",
            "harm": "harm",
            "severity": "critical",
            "tags": ["deploy", "checkout"],
        },
    ),
    (
        "folder",
        "bo",
        "billing",
        Stage.REPORTED,
        0,
        35,
        {
            "title": "Deleted the shared 'Contracts 2024' folder while tidying up",
            "discovered_by": "self",
            "harm": "did_not_reach",
            "severity": "medium",
            "tags": ["documents"],
        },
    ),
    (
        "deadline",
        "dee",
        "platform",
        Stage.FIXED,
        20,
        180,
        {
            "title": "Missed the quarterly data-protection report deadline by two days",
            "discovered_by": "audit",
            "harm": "reached_no_harm",
            "severity": "high",
            "tags": ["compliance", "deadlines"],
        },
    ),
    (
        "near-miss",
        "cy",
        "billing",
        Stage.CLOSED,
        40,
        5,
        {
            "title": "Almost refunded the wrong customer: two accounts with the same name",
            "description": "Caught on the confirmation screen before the refund went out.",
            "discovered_by": "self",
            "harm": "near_miss",
            "severity": "low",
            "tags": ["refunds", "billing"],
        },
    ),
    (
        "salaries",
        "ada",
        "billing",
        Stage.REPORTED,
        1,
        20,
        {
            "title": "Salary spreadsheet shared with the whole company by mistake",
            "discovered_by": "colleague",
            "harm": "reached_no_harm",
            "severity": "high",
            "confidentiality": "restricted",
            "restricted_to": ["bo"],
            "tags": ["privacy"],
        },
    ),
    # Two older billing mistakes, closed long ago: with them the March invoices have a history,
    # which the report form and the mistake's page show as similar mistakes with what fixed
    # them, and the library as something that keeps happening.
    (
        "old-prices",
        "bo",
        "billing",
        Stage.CLOSED,
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
    ),
    (
        "vat-rate",
        "cy",
        "billing",
        Stage.CLOSED,
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
    ),
]


def load_demo() -> bool:
    """Create the demo organisation unless it exists; True when it was created now."""
    if Team.objects.filter(slug="billing").exists():
        return False
    with transaction.atomic():
        organisation = Organisation.current()
        organisation.name = "Demo & Co"
        organisation.save()
        Team.objects.create(name="Billing", slug="billing", email="billing@demo.example")
        Team.objects.create(name="Platform", slug="platform", email="platform@demo.example")
        people = {}
        for username, name, admin, team, role in PEOPLE:
            first, last = name.split(" ", 1)
            user = create_user(
                username,
                email=f"{username}@demo.example",
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                admin=admin,
            )
            join_team(user, Team.objects.get(slug=team), role)
            people[username] = user
        mistakes = {
            key: _reported(people, who, team, reached, days, minutes, fields)
            for key, who, team, reached, days, minutes, fields in MISTAKES
        }
        # The apps add their part of each story first, so the moves below meet each stage's needs.
        for module in app_modules("demo"):
            module.load(mistakes)
        for key, who, _team, reached, _days, _minutes, _fields in MISTAKES:
            _move_to(mistakes[key], reached, people[who])
        # The stories above were dated back after they were told: count them as they now are.
        mistakes_changed(Mistake.objects.values_list("pk", flat=True))
    return True


def _reported(
    people: dict[str, Any],
    reporter: str,
    team: str,
    reached: Stage,
    days_ago: int,
    minutes_to_report: int,
    fields: dict[str, Any],
) -> Mistake:
    mistake = services.report({**fields, "team": team}, reporter=people[reporter], announce=False)
    # Told as if it had happened days ago, so the story and the figures look lived-in.
    reported_at = timezone.now() - timedelta(days=days_ago, hours=3)
    noticed_at = reported_at - timedelta(minutes=minutes_to_report)
    Mistake.objects.filter(pk=mistake.pk).update(
        reported_at=reported_at,
        noticed_at=noticed_at,
        occurred_at=noticed_at - timedelta(hours=2),
        owner=people[reporter] if reached != Stage.REPORTED else None,
    )
    mistake.timeline.update(at=reported_at, recorded_at=reported_at)
    mistake.refresh_from_db()
    return mistake


def _move_to(mistake: Mistake, reached: Stage, owner: Any) -> None:
    told_before = mistake.timeline.order_by("-pk").values_list("pk", flat=True).first() or 0
    for stage in Stage:
        if 0 < stage.order <= reached.order:
            missing = stages.unmet_requirements(mistake, stage)
            reason = "recorded before the team used ownup" if missing else ""
            mistake = stages.move(mistake, stage, actor=owner, reason=reason)
    # Spread the stage changes over the days since the report.
    reported_at = mistake.reported_at
    steps = list(mistake.timeline.filter(kind=TimelineEntry.Kind.STAGE).order_by("pk"))
    for number, entry in enumerate(steps, start=1):
        when = reported_at + (timezone.now() - reported_at) * number / (len(steps) + 1)
        TimelineEntry.objects.filter(pk=entry.pk).update(at=when, recorded_at=when)
        milestone = {
            Stage.CONTAINED: "contained_at",
            Stage.FIXED: "fixed_at",
            Stage.CLOSED: "closed_at",
        }.get(Stage(entry.changes["stage"][1]))
        if milestone:
            Mistake.objects.filter(pk=mistake.pk).update(**{milestone: when})
        # What a move wrote beside its stage change (the thanks at closing) is dated with it.
        written_after = mistake.timeline.filter(pk__gt=entry.pk).exclude(
            kind=TimelineEntry.Kind.STAGE
        )
        next_step = steps[number].pk if number < len(steps) else None
        if next_step is not None:
            written_after = written_after.filter(pk__lt=next_step)
        written_after.filter(pk__gt=told_before).update(at=when, recorded_at=when)
