"""The decision part of the demo stories: options weighed, and the fix chosen with why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User

from ownup.decisions import services
from ownup.decisions.models import Decision, Option
from ownup.reporting.models import Mistake, TimelineEntry


def _person(username: str) -> User:
    return User.objects.get(username=username)


def _options(
    mistake: Mistake, who: str, days: float, candidates: list[tuple[str, str, str, dict[str, int]]]
) -> list[Option]:
    when = mistake.reported_at + timedelta(days=days)
    made = []
    for title, strength, description, scores in candidates:
        option = services.add_option(
            mistake,
            actor=_person(who),
            title=title,
            strength=strength,
            description=description,
            scores=scores,
        )
        Option.objects.filter(pk=option.pk).update(created_at=when)
        _backdate(mistake, when)
        made.append(option)
    return made


def _decide(mistake: Mistake, who: str, days: float, option: Option, rationale: str) -> None:
    when = mistake.reported_at + timedelta(days=days)
    decision = services.decide(
        mistake, actor=_person(who), option_id=option.pk, rationale=rationale
    )
    Decision.objects.filter(pk=decision.pk).update(decided_at=when)
    _backdate(mistake, when)


def _backdate(mistake: Mistake, when: Any) -> None:
    latest = mistake.timeline.order_by("-pk").first()
    if latest is not None:
        TimelineEntry.objects.filter(pk=latest.pk).update(at=when, recorded_at=when)


def load(mistakes: dict[str, Mistake]) -> None:
    deploy = mistakes["deploy"]
    _options(
        deploy,
        "eli",
        3,
        [
            (
                "The deploy pipeline refuses a release whose configuration lacks a payment key",
                "strong",
                "A check in the pipeline, against the list of keys checkout needs.",
                {"effort": 3, "risk": 2, "time": 2, "cost": 2, "customer_impact": 5},
            ),
            (
                "Add 'payment keys present' to the release checklist",
                "medium",
                "",
                {"effort": 1, "risk": 1, "time": 1, "cost": 1, "customer_impact": 3},
            ),
            (
                "Remind everyone not to deploy checkout on Fridays",
                "weak",
                "",
                {"effort": 1, "risk": 1, "time": 1, "cost": 1, "customer_impact": 1},
            ),
        ],
    )

    deadline = mistakes["deadline"]
    calendar, review, _ = _options(
        deadline,
        "dee",
        8,
        [
            (
                "A compliance calendar that opens a ticket a month before each deadline",
                "strong",
                "Owned by the platform team, with the regulator's dates imported each January.",
                {
                    "effort": 3,
                    "risk": 1,
                    "time": 3,
                    "cost": 2,
                    "customer_impact": 4,
                    "reversibility": 5,
                },
            ),
            (
                "Review the coming deadlines at the monthly team meeting",
                "medium",
                "",
                {
                    "effort": 1,
                    "risk": 2,
                    "time": 1,
                    "cost": 1,
                    "customer_impact": 3,
                    "reversibility": 5,
                },
            ),
            (
                "Email everyone the list of deadlines",
                "weak",
                "",
                {
                    "effort": 1,
                    "risk": 3,
                    "time": 1,
                    "cost": 1,
                    "customer_impact": 1,
                    "reversibility": 5,
                },
            ),
        ],
    )
    _decide(
        deadline,
        "dee",
        9,
        review,
        "Quick to start; we can do it at next week's meeting.",
    )
    _decide(
        deadline,
        "dee",
        11,
        calendar,
        "Revisited after the audit call. The meeting ranks higher only because it is less work, "
        "but it depends on people remembering; the calendar does not, and its ticket makes each "
        "deadline somebody's work.",
    )

    near_miss = mistakes["near-miss"]
    by_number, _, _ = _options(
        near_miss,
        "cy",
        10,
        [
            (
                "Pick the account by number, never by name, on the refund screen",
                "strong",
                "The name search shows the account number and the last invoice; "
                "a refund needs both.",
                {"effort": 2, "risk": 1, "time": 2, "cost": 1, "customer_impact": 5},
            ),
            (
                "A second person confirms refunds over 500 €",
                "medium",
                "",
                {"effort": 2, "risk": 1, "time": 1, "cost": 3, "customer_impact": 3},
            ),
            (
                "Training on double-checking the customer before a refund",
                "weak",
                "",
                {"effort": 1, "risk": 1, "time": 1, "cost": 1, "customer_impact": 1},
            ),
        ],
    )
    _decide(
        near_miss,
        "bo",
        12,
        by_number,
        "It removes the chance to pick the wrong one instead of asking people to look harder, "
        "and it costs two days of work.",
    )
