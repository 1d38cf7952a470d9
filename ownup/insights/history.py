"""A believable past for the demo organisation: a year of mistakes, so the dashboard shows trends.

The story it tells: over the year the teams own their mistakes earlier (more self-disclosure,
less time from noticing to reporting), contain them faster, and repeat them less. The same
generator, seeded, fills the benchmark's database with a million mistakes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ownup.insights.bulk import insert_rows, next_ids
from ownup.organisation.models import Severity, Team
from ownup.reporting.changes import mistakes_inserted
from ownup.reporting.models import (
    Confidentiality,
    DiscoveredBy,
    Harm,
    Mistake,
    Stage,
    Tag,
    TimelineEntry,
)

# Per team: what goes wrong there, and the tags those mistakes carry.
STORIES: dict[str, list[tuple[str, list[str]]]] = {
    "billing": [
        ("Invoice run used an outdated price list for {n} customers", ["invoices", "prices"]),
        ("Refund sent to the wrong customer account", ["refunds", "customers"]),
        ("Direct debit collected twice from {n} customers", ["payments", "customers"]),
        ("VAT rate wrong on invoices to {country}", ["invoices", "tax"]),
        ("Credit note issued without approval", ["approvals", "refunds"]),
        ("Payment reminder sent to customers who had paid", ["reminders", "customers"]),
        ("Month-end export missed {n} transactions", ["reports", "deadlines"]),
        ("Customer bank details typed into the wrong record", ["data-entry", "privacy"]),
        ("Discount code applied to every order for {n} hours", ["prices", "checkout"]),
        ("Supplier paid from the wrong account", ["payments", "approvals"]),
    ],
    "platform": [
        ("Deploy broke checkout for {n} minutes", ["deploy", "checkout"]),
        ("Database migration locked the orders table", ["deploy", "database"]),
        ("Expired TLS certificate on the customer portal", ["certificates", "monitoring"]),
        ("Backup job silently failed for {n} days", ["backups", "monitoring"]),
        ("Feature flag turned on for all customers instead of 5%", ["feature-flags", "deploy"]),
        ("Log retention deleted audit logs too early", ["logging", "compliance"]),
        ("Staging credentials used against production", ["access", "database"]),
        ("Search index rebuilt with the wrong language settings", ["search", "deploy"]),
        ("Rate limit set too low, API clients blocked", ["api", "configuration"]),
        ("DNS change sent email to the old mail server", ["dns", "configuration"]),
    ],
}
# What sets one occurrence apart from another of the same kind.
DETAILS = {
    "billing": ["month-end", "eu", "manual-step", "spreadsheet", "new-joiner", "vendor", "bulk"],
    "platform": ["friday", "hotfix", "legacy", "kubernetes", "on-call", "vendor", "night"],
}
COUNTRIES = ["Belgium", "Ireland", "Portugal", "Austria", "Finland"]
FINDERS_NOT_SELF = [
    (DiscoveredBy.COLLEAGUE, 4),
    (DiscoveredBy.CHECK, 3),
    (DiscoveredBy.CUSTOMER, 2),
    (DiscoveredBy.AUDIT, 1),
]
SEVERITY_WEIGHTS = {"critical": 1, "high": 4, "medium": 9, "low": 6}
MONITORING_DAYS = 30
# The intermediate stages between the milestones the record keeps, in order.
LATER_STAGES = [Stage.UNDERSTOOD, Stage.DECIDED]
AFTER_FIX = [Stage.TOLD, Stage.MONITORING]


@dataclass
class PastMistake:
    title: str
    team: str
    tags: list[str]
    severity: str
    discovered_by: str
    harm: str
    occurred_at: datetime
    noticed_at: datetime
    reported_at: datetime
    stage: Stage
    contained_at: datetime | None
    fixed_at: datetime | None
    closed_at: datetime | None
    confidentiality: str
    moves: list[tuple[Stage, datetime]] = field(default_factory=list)


def plan(
    count: int, *, now: datetime, days: int = 365, seed: int = 7, teams: list[str] | None = None
) -> Iterator[PastMistake]:
    """``count`` past mistakes spread over the ``days`` before ``now``, oldest first."""
    rng = random.Random(seed)
    team_names = teams or list(STORIES)
    ages = sorted((rng.random() ** 0.85 * days for _ in range(count)), reverse=True)
    severities = list(SEVERITY_WEIGHTS)
    latest: dict[str, tuple[str, list[str]]] = {}
    for age in ages:
        # 1 a year ago, 0 today: how far the organisation still had to go.
        before = min(age / 365, 1.0)
        team = rng.choice(team_names)
        # The same mistake again, more often before the organisation learned from it.
        if team in latest and rng.random() < 0.08 + 0.35 * before:
            template, tags = latest[team]
        else:
            template, kind = rng.choice(STORIES.get(team, STORIES["billing"]))
            tags = [*kind, rng.choice(DETAILS.get(team, DETAILS["billing"]))]
        latest[team] = (template, tags)
        title = template.format(n=rng.choice([3, 12, 40, 214, 1800]), country=rng.choice(COUNTRIES))
        reported_at = now - timedelta(days=age, minutes=rng.randint(0, 600))
        self_found = rng.random() < 0.30 + 0.40 * (1 - before)
        finder = (
            DiscoveredBy.SELF
            if self_found
            else rng.choices(*zip(*FINDERS_NOT_SELF, strict=True))[0]
        )
        noticing = _lognormal(rng, median_minutes=30 + 400 * before, spread=1.1)
        noticed_at = reported_at - noticing
        occurred_at = noticed_at - _lognormal(rng, median_minutes=120, spread=1.5)
        severity = rng.choices(severities, weights=list(SEVERITY_WEIGHTS.values()))[0]
        urgency = {"critical": 0.15, "high": 0.5, "medium": 1.5, "low": 4.0}[severity]
        contain = _lognormal(rng, median_minutes=60 * urgency * (0.5 + 1.5 * before), spread=0.9)
        fix = contain + timedelta(days=rng.lognormvariate(math.log(6 + 10 * before), 0.6))
        harm = (
            Harm.NEAR_MISS
            if rng.random() < 0.12
            else rng.choices(
                [Harm.DID_NOT_REACH, Harm.REACHED_NO_HARM, Harm.HARM], weights=[4, 4, 2]
            )[0]
        )
        confidentiality = rng.choices(
            [Confidentiality.OPEN, Confidentiality.TEAM, Confidentiality.ANONYMOUS],
            weights=[90, 6, 4],
        )[0]
        past = PastMistake(
            title=title,
            team=team,
            tags=list(tags),
            severity=severity,
            discovered_by=finder,
            harm=harm,
            occurred_at=occurred_at,
            noticed_at=noticed_at,
            reported_at=reported_at,
            stage=Stage.REPORTED,
            contained_at=None,
            fixed_at=None,
            closed_at=None,
            confidentiality=confidentiality,
        )
        _progress(past, rng, now, contain, fix)
        yield past


def _lognormal(rng: random.Random, *, median_minutes: float, spread: float) -> timedelta:
    return timedelta(minutes=rng.lognormvariate(math.log(max(median_minutes, 1)), spread))


def _progress(
    past: PastMistake, rng: random.Random, now: datetime, contain: timedelta, fix: timedelta
) -> None:
    """Move the mistake as far as its age allows, leaving a few stuck as real ones get stuck."""
    stuck = rng.random() < 0.06
    contained_at = past.reported_at + contain
    if contained_at > now or (stuck and rng.random() < 0.3):
        return
    past.contained_at = contained_at
    past.stage = Stage.CONTAINED
    past.moves.append((Stage.CONTAINED, contained_at))
    fixed_at = past.reported_at + fix
    span = fixed_at - contained_at
    for number, stage in enumerate(LATER_STAGES, start=1):
        at = contained_at + span * number / 3
        if at > now:
            return
        past.stage = stage
        past.moves.append((stage, at))
    if fixed_at > now or stuck:
        return
    past.fixed_at = fixed_at
    past.stage = Stage.FIXED
    past.moves.append((Stage.FIXED, fixed_at))
    for number, stage in enumerate(AFTER_FIX, start=1):
        at = fixed_at + timedelta(days=number * rng.uniform(0.5, 2))
        if at > now:
            return
        past.stage = stage
        past.moves.append((stage, at))
    closed_at = past.moves[-1][1] + timedelta(days=MONITORING_DAYS)
    if closed_at > now or rng.random() < 0.05:
        return
    past.closed_at = closed_at
    past.stage = Stage.CLOSED
    past.moves.append((Stage.CLOSED, closed_at))


def insert(pasts: Iterator[PastMistake], *, batch: int = 5000, timeline: bool = True) -> int:
    """Write the mistakes in batches, each with its tags and (for the demo) its timeline."""
    severities = dict(Severity.objects.values_list("name", "pk"))
    teams = {team.slug: team for team in Team.objects.all()}
    members: dict[str, list[User]] = {
        slug: list(User.objects.filter(memberships__team=team).order_by("pk"))
        for slug, team in teams.items()
    }
    tag_ids: dict[str, int] = {}
    created = 0
    chunk: list[PastMistake] = []
    for past in pasts:
        chunk.append(past)
        if len(chunk) >= batch:
            created += _insert_chunk(chunk, severities, teams, members, tag_ids, timeline)
            chunk = []
    if chunk:
        created += _insert_chunk(chunk, severities, teams, members, tag_ids, timeline)
    return created


def _insert_chunk(
    chunk: list[PastMistake],
    severities: dict[str, int],
    teams: dict[str, Team],
    members: dict[str, list[User]],
    tag_ids: dict[str, int],
    timeline: bool,
) -> int:
    Through = Mistake.tags.through
    with transaction.atomic():
        for name in {tag for past in chunk for tag in past.tags} - set(tag_ids):
            tag_ids[name] = Tag.objects.get_or_create(name=name)[0].pk
        rows = []
        for number, past in enumerate(chunk):
            people = members.get(past.team) or []
            person = people[number % len(people)] if people else None
            anonymous = past.confidentiality == Confidentiality.ANONYMOUS
            rows.append(
                Mistake(
                    title=past.title,
                    occurred_at=past.occurred_at,
                    noticed_at=past.noticed_at,
                    reported_at=past.reported_at,
                    discovered_by=past.discovered_by,
                    harm=past.harm,
                    severity_id=severities[past.severity],
                    team=teams.get(past.team),
                    reporter=None if anonymous else person,
                    owner=person if past.stage != Stage.REPORTED else None,
                    confidentiality=past.confidentiality,
                    stage=past.stage,
                    contained_at=past.contained_at,
                    fixed_at=past.fixed_at,
                    closed_at=past.closed_at,
                    updated_at=past.moves[-1][1] if past.moves else past.reported_at,
                )
            )
        for mistake, pk in zip(rows, next_ids(Mistake, len(rows)), strict=True):
            mistake.pk = pk
        columns = [f.attname for f in Mistake._meta.concrete_fields]
        insert_rows(Mistake, columns, [tuple(getattr(m, c) for c in columns) for m in rows])
        saved = rows
        insert_rows(
            Through,
            ["mistake_id", "tag_id"],
            [
                (mistake.pk, tag_ids[name])
                for mistake, past in zip(saved, chunk, strict=True)
                for name in past.tags
            ],
        )
        if timeline:
            TimelineEntry.objects.bulk_create(_entries(saved, chunk))
        mistakes_inserted([mistake.pk for mistake in saved])
    return len(saved)


def _entries(saved: list[Mistake], chunk: list[PastMistake]) -> Iterator[TimelineEntry]:
    for mistake, past in zip(saved, chunk, strict=True):
        yield TimelineEntry(
            mistake=mistake,
            at=past.reported_at,
            recorded_at=past.reported_at,
            actor=mistake.reporter,
            kind=TimelineEntry.Kind.REPORTED,
            text="Reported",
        )
        previous = Stage.REPORTED
        for stage, at in past.moves:
            yield TimelineEntry(
                mistake=mistake,
                at=at,
                recorded_at=at,
                actor=mistake.owner,
                kind=TimelineEntry.Kind.STAGE,
                text=f"Moved to {stage.label}",
                changes={"stage": [previous.value, stage.value], "skipped": [], "reason": ""},
            )
            previous = stage


def add_history(count: int, *, seed: int = 7) -> int:
    """Add ``count`` past mistakes to the demo organisation (loading the demo first if needed)."""
    from ownup.demo import load_demo

    load_demo()
    return insert(plan(count, now=timezone.now(), seed=seed))
