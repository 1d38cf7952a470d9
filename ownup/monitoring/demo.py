"""Demo: the near miss was watched for four days and closed verified, with its lesson; the two
older billing mistakes have the lessons they were closed with; the missed deadline has a
check-in agreed for when its fix is monitored."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from ownup.monitoring.models import CheckKind, CheckRun, EffectivenessCheck, Lesson, Outcome
from ownup.reporting.models import Mistake

PAST_LESSONS = [
    (
        "old-prices",
        "A failed import left the old price list in place, and nothing downstream asked how old "
        "the prices were.",
        "Make a run that depends on imported data refuse to start when the import did not "
        "finish, instead of trusting whatever the data was before.",
    ),
    (
        "vat-rate",
        "The rates lived in two tables, and a change reached one of them.",
        "Keep each rate in one place that every system reads, and test it against its source "
        "before a run that depends on it.",
    ),
]


def load(mistakes: dict[str, Mistake]) -> None:
    near_miss = mistakes["near-miss"]
    # The story's Monitoring began ten days ago; the checks held for their four-day window.
    started = (timezone.now() - timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    probe = EffectivenessCheck.objects.create(
        mistake=near_miss,
        kind=CheckKind.HTTP,
        name="The refund screen shows the account number beside the name",
        baseline="Two customers named 'J. Smith' looked the same on the refund screen.",
        config={
            "url": "https://billing.demo.example/refunds/preview?account=demo",
            "expected_status": 200,
            "timeout": 5.0,
            "expect_text": "Account no.",
            "json_path": "",
        },
        interval_minutes=120,
        window_days=4,
        failures_to_reopen=2,
        window_started_at=started,
        created_by=near_miss.reporter,
        created_at=started - timedelta(days=2),
    )
    watch = EffectivenessCheck.objects.create(
        mistake=near_miss,
        kind=CheckKind.RECURRENCE,
        name="Nobody refunds the wrong customer again",
        config={"threshold": 0.3},
        interval_minutes=1440,
        window_days=4,
        failures_to_reopen=1,
        window_started_at=started,
        created_by=near_miss.reporter,
        created_at=started - timedelta(days=2),
    )
    _history(probe, started, every=timedelta(hours=2), slow_at={7: 2300, 30: 1900})
    _history(watch, started, every=timedelta(days=1))
    Lesson.objects.create(
        mistake=near_miss,
        learned="Two accounts with the same name look identical on the refund screen; the "
        "confirmation step was the only thing that caught the mix-up.",
        advice="Show an identifier that tells similar records apart (an account number, a "
        "date of birth) wherever a person picks one of them, and make the confirmation step "
        "repeat it.",
        tags=sorted(near_miss.tags.values_list("name", flat=True)),
        verified_effective=True,
        written_at=started + timedelta(days=4, hours=3),
    )

    # The two older billing mistakes were closed before the team used ownup: lessons without
    # a watched window behind them.
    for key, learned, advice in PAST_LESSONS:
        mistake = mistakes[key]
        Lesson.objects.create(
            mistake=mistake,
            learned=learned,
            advice=advice,
            tags=sorted(mistake.tags.values_list("name", flat=True)),
            written_at=mistake.reported_at + timedelta(days=16),
        )

    deadline = mistakes["deadline"]
    dee = User.objects.filter(username="dee").first()
    EffectivenessCheck.objects.create(
        mistake=deadline,
        kind=CheckKind.CHECKIN,
        name="The quarterly report goes out a week before its deadline",
        baseline="Sent two days late in Q1.",
        config={
            "question": "Did the quarterly data-protection report go out on time?",
            "grace_hours": 72,
        },
        interval_minutes=7 * 1440,
        window_days=90,
        failures_to_reopen=1,
        person=dee,
        created_by=dee,
    )


def _history(
    check: EffectivenessCheck,
    started: datetime,
    *,
    every: timedelta,
    slow_at: dict[int, int] | None = None,
) -> None:
    ends = started + timedelta(days=check.window_days)
    runs = []
    slot = started
    number = 0
    while slot <= ends:
        took = (slow_at or {}).get(number, 180 + (number * 37) % 140)
        detail = "HTTP 200" if check.kind == CheckKind.HTTP else "no similar report since the start"
        runs.append(
            CheckRun(
                check_ref=check,
                slot=slot,
                started_at=slot + timedelta(milliseconds=400),
                duration_ms=took if check.kind == CheckKind.HTTP else 12,
                outcome=Outcome.PASSED,
                detail=detail,
                in_window=True,
            )
        )
        slot += every
        number += 1
    CheckRun.objects.bulk_create(runs)
    EffectivenessCheck.objects.filter(pk=check.pk).update(
        window_passes=len(runs), last_run_at=runs[-1].slot, last_outcome=Outcome.PASSED
    )
