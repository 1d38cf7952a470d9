"""The demo's hiring team: Dee and Ada interview, with two scorecards already written."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from ownup.hiring.models import HIRING_TEAM, Candour, Scorecard
from ownup.reporting.models import Mistake

SCORECARDS = [
    (
        "Priya Raman",
        "Billing analyst",
        "dee",
        Candour.TEACHES,
        "Told of sending a refund file twice in her first month: she noticed from the bank "
        "balance, told her lead within the hour, and added a duplicate check to the upload that "
        "the whole team now uses.",
        "hire",
    ),
    (
        "Tom Becker",
        "Platform engineer",
        "ada",
        Candour.GENERIC,
        "His mistake was 'working too hard'. Pressed for a real one, described an outage caused "
        "by 'the other team's config' and did not say what he would do differently.",
        "unsure",
    ),
]


def load(mistakes: dict[str, Mistake]) -> None:
    team, _ = Group.objects.get_or_create(name=HIRING_TEAM)
    people = {user.username: user for user in User.objects.filter(username__in=["ada", "dee"])}
    team.user_set.add(*people.values())
    today = timezone.now().date()
    for days, (candidate, role, who, candour, evidence, recommendation) in enumerate(SCORECARDS):
        Scorecard.objects.create(
            candidate=candidate,
            role=role,
            interviewer=people.get(who),
            interviewed_on=today - timedelta(days=3 + 4 * days),
            candour=candour,
            evidence=evidence,
            recommendation=recommendation,
        )
