"""A fix is watched over its window: checks run on their schedule, failures reopen the mistake,
and a window held in full verifies it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from ownup.monitoring import services
from ownup.monitoring.models import CheckRun, Outcome, Verdict
from ownup.reporting import stages
from ownup.reporting.models import Stage, TimelineEntry
from ownup.reporting.services import InvalidInput


def test_monitoring_needs_an_agreed_check(fixed_mistake, add_check, http_server):
    assert "no effectiveness check is agreed yet" in stages.unmet_requirements(
        fixed_mistake, Stage.MONITORING
    )
    add_check(fixed_mistake, url=http_server.url)
    assert stages.unmet_requirements(fixed_mistake, Stage.MONITORING) == []


def test_interval_checks_run_only_while_monitored_on_their_own_second_of_the_interval(
    start, fixed_mistake, add_check, monitor, http_server, time_machine
):
    check = add_check(fixed_mistake, url=http_server.url, every="5m")
    assert services.dispatch() == []  # agreed, but the fix is not yet being watched
    time_machine.move_to(start + timedelta(seconds=20), tick=False)
    monitor(fixed_mistake)
    check.refresh_from_db()
    assert check.active
    assert check.window_ends_at == start + timedelta(seconds=20, days=30)
    first = check.next_due_at
    # Within one interval of the start, on the second the check's id gives it in every interval.
    assert start + timedelta(seconds=20) <= first < start + timedelta(minutes=5, seconds=20)
    assert first.microsecond == 0
    period = timedelta(minutes=5)
    assert (first - services.EPOCH) % period == services.phase(check.pk, period)

    time_machine.move_to(first - timedelta(seconds=1), tick=False)
    assert services.dispatch() == []  # not yet
    time_machine.move_to(first, tick=False)
    assert services.dispatch() == [[(check.pk, first)]]
    check.refresh_from_db()
    assert check.next_due_at == first + period
    assert services.dispatch() == []  # nothing else is due now


def test_a_missed_slot_runs_once_late_and_the_check_keeps_its_second(
    start, fixed_mistake, add_check, monitor, http_server, time_machine
):
    check = add_check(fixed_mistake, url=http_server.url, every="1m")
    monitor(fixed_mistake)
    check.refresh_from_db()
    first = check.next_due_at
    time_machine.move_to(first + timedelta(minutes=10, seconds=1), tick=False)  # no worker ran
    assert services.dispatch() == [[(check.pk, first)]]
    check.refresh_from_db()
    assert check.next_due_at == first + timedelta(minutes=11)


def test_phases_spread_checks_evenly_over_their_interval():
    minute = timedelta(minutes=1)
    per_second = Counter(services.phase(check_id, minute).seconds for check_id in range(1, 6001))
    assert set(per_second) == set(range(60))
    assert max(per_second.values()) <= 150  # 100 a second on average; never a herd
    day = timedelta(days=1)
    assert len({services.phase(check_id, day) for check_id in range(1, 101)}) == 100
    assert services.phase(7, minute) == services.phase(7, minute)  # the same in every process


def test_cron_checks_keep_their_exact_times(
    start, fixed_mistake, add_check, monitor, http_server, time_machine
):
    check = add_check(fixed_mistake, url=http_server.url, cron="*/15 * * * *")
    time_machine.move_to(start + timedelta(minutes=3, seconds=5), tick=False)
    monitor(fixed_mistake)
    check.refresh_from_db()
    assert check.next_due_at == start + timedelta(minutes=15)
    time_machine.move_to(start + timedelta(minutes=15), tick=False)
    assert services.dispatch() == [[(check.pk, start + timedelta(minutes=15))]]
    check.refresh_from_db()
    assert check.next_due_at == start + timedelta(minutes=30)


def test_a_failing_check_reopens_at_fixed_with_evidence_and_tells_the_owner(
    start,
    fixed_mistake,
    add_check,
    monitor,
    http_server,
    time_machine,
    run_next,
    smtp_server,
    run_tasks,
    outsider,
    responder,
    django_capture_on_commit_callbacks,
):
    check = add_check(
        fixed_mistake, url=http_server.url + "/prices", every="1m", failures_to_reopen=2
    )
    monitor(fixed_mistake)
    run_tasks()

    def minute() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            run_next(check)

    minute()
    check.refresh_from_db()
    assert check.last_outcome == Outcome.PASSED
    assert check.window_passes == 1

    http_server.respond(500, "price table missing")
    minute()
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.MONITORING  # one failure is not yet enough
    minute()
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.FIXED
    check.refresh_from_db()
    assert check.verdict() == Verdict.NOT_EFFECTIVE
    assert not check.active

    reopened = fixed_mistake.timeline.filter(kind=TimelineEntry.Kind.STAGE).last()
    assert reopened.text.startswith("Reopened at Fixed: the effectiveness check")
    assert "failed 2 times in a row" in reopened.text
    evidence = fixed_mistake.timeline.filter(kind=TimelineEntry.Kind.EVENT).last()
    assert "HTTP 500, expected 200: price table missing" in evidence.text
    assert len(evidence.changes["runs"]) == 2

    run_tasks()
    recipients = sorted(r for mail in smtp_server.received for r in mail.recipients)
    assert recipients == ["bo@example.com", "cy@example.com"]  # owner and responder, not eli
    mail = smtp_server.received[0].message
    assert "Reopened" in mail["Subject"]
    assert "price table missing" in mail.get_content()

    time_machine.move_to(start + timedelta(minutes=4), tick=False)
    for batch in services.dispatch():  # a reopened mistake's checks wait for the next window
        services.run_slots(batch)
    assert CheckRun.objects.filter(check_ref=check).count() == 3


def test_a_window_held_in_full_verifies_and_closes_by_itself_once_the_lesson_is_written(
    start, fixed_mistake, add_check, monitor, http_server, time_machine, run_next, reporter
):
    check = add_check(fixed_mistake, url=http_server.url, every="1d", window_days=3)
    monitor(fixed_mistake)
    check.refresh_from_db()
    ends = check.window_ends_at
    slots = []
    while check.active:
        slots.append(run_next(check))
    # A slot a day on the check's own time of day, within its window; the next falls outside.
    assert slots[0] < start + timedelta(days=1)
    assert slots == [slots[0] + timedelta(days=n) for n in range(len(slots))]
    assert slots[-1] <= ends < slots[-1] + timedelta(days=1)
    assert check.window_passes == len(slots) >= 3
    assert not check.active
    assert check.verdict() == Verdict.IN_PROGRESS  # until its window is over
    time_machine.move_to(ends, tick=False)
    assert check.verdict() == Verdict.EFFECTIVE
    assert services.evaluate(fixed_mistake).verified

    assert services.close_verified() == []  # verified, but no lesson yet: the owner is told
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.MONITORING
    assert fixed_mistake.timeline.filter(text__startswith="Verified effective").count() == 1
    services.close_verified()
    assert fixed_mistake.timeline.filter(text__startswith="Verified effective").count() == 1

    reporter.first_name = "Cy"
    reporter.save()
    services.write_lesson(
        fixed_mistake,
        {"learned": "Cy found that the price list had no owner.", "advice": "Give lists owners."},
        actor=reporter,
    )
    assert services.close_verified() == [fixed_mistake.pk]
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.CLOSED
    assert fixed_mistake.lesson.learned == "Someone found that the price list had no owner."
    assert fixed_mistake.closures.get().verified


def test_some_failures_without_reopening_make_it_partially_effective(
    start, fixed_mistake, add_check, monitor, http_server, time_machine, run_next, reporter
):
    check = add_check(
        fixed_mistake, url=http_server.url, every="1d", window_days=2, failures_to_reopen=2
    )
    monitor(fixed_mistake)
    for healthy in [True, False]:
        http_server.respond(200 if healthy else 503, "ok" if healthy else "down")
        run_next(check)
    http_server.respond(200, "ok")
    while check.active:
        run_next(check)
    time_machine.move_to(check.window_ends_at + timedelta(seconds=1), tick=False)
    evaluation = services.evaluate(fixed_mistake)
    assert evaluation.overall == "partially effective"
    assert not evaluation.verified
    with pytest.raises(InvalidInput) as refused:
        services.close(fixed_mistake, {"learned": "x", "advice": "y"}, actor=reporter)
    assert "reason" in refused.value.errors
    closure = services.close(
        fixed_mistake,
        {"learned": "Prices", "advice": "Owners", "reason": "the one outage was the vendor's"},
        actor=reporter,
    )
    assert not closure.verified
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.CLOSED
    assert (
        "the one outage was the vendor's"
        in fixed_mistake.timeline.filter(kind=TimelineEntry.Kind.STAGE).last().text
    )


def test_closing_thanks_the_team_by_name(
    start,
    fixed_mistake,
    add_check,
    monitor,
    http_server,
    reporter,
    responder,
    smtp_server,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    reporter.first_name, reporter.last_name = "Cy", "Okafor"
    reporter.save()
    stages_entry = fixed_mistake.timeline.first()
    stages_entry.actor = responder
    stages_entry.save()
    run_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        closure = services.close(
            fixed_mistake,
            {"learned": "Lists need owners", "advice": "Name one", "reason": "tested by hand"},
            actor=reporter,
        )
    assert closure.thanked == ["bo", "Cy Okafor"]
    assert fixed_mistake.timeline.filter(text__startswith="Thank you, bo and Cy Okafor").exists()
    run_tasks()
    assert sorted(r for m in smtp_server.received for r in m.recipients) == [
        "bo@example.com",
        "cy@example.com",
    ]
    assert "Thank you, bo, Cy Okafor" in smtp_server.received[0].message.get_content()


def test_an_organisation_that_wants_a_sign_off_closes_by_hand(
    start, fixed_mistake, add_check, monitor, http_server, time_machine, run_next, reporter
):
    from ownup.monitoring.models import MonitoringPolicy

    MonitoringPolicy.objects.update_or_create(pk=1, defaults={"sign_off_required": True})
    check = add_check(fixed_mistake, url=http_server.url, every="1d", window_days=1)
    monitor(fixed_mistake)
    services.write_lesson(fixed_mistake, {"learned": "a", "advice": "b"}, actor=reporter)
    check.refresh_from_db()
    while check.active:
        run_next(check)
    time_machine.move_to(check.window_ends_at + timedelta(seconds=1), tick=False)
    assert services.close_verified() == []
    assert "a person to sign it off" in fixed_mistake.timeline.last().text
    closure = services.close(
        fixed_mistake, {"learned": "a", "advice": "b"}, actor=reporter
    )  # no reason needed: it is verified
    assert closure.verified
    assert closure.closed_by == reporter


def test_each_check_is_told_in_words_for_the_people_told(
    start, fixed_mistake, add_check, http_server
):
    def check(name, **state):
        made = add_check(fixed_mistake, name=name, url=http_server.url, every="1d", window_days=7)
        type(made).objects.filter(pk=made.pk).update(**state)
        return made

    began = start - timedelta(days=8)
    check("Agreed", window_started_at=None)
    check("Held", window_started_at=began, window_passes=7)
    check("Mostly", window_started_at=began, window_passes=5, window_failures=2)
    check("Broke", window_started_at=began, reopened_at=start - timedelta(days=1))
    check("Going", window_started_at=start - timedelta(days=2), window_passes=2)
    check("Silent", window_started_at=began)

    assert services.results_in_words(fixed_mistake, start) == [
        "Agreed: we check it for 7 days once the fix is in place",
        "Held: it held every time we checked, over 7 days",
        "Mostly: it held 5 of 7 times over 7 days; we are adding to the fix",
        "Broke: it did not hold, so we took the fix up again",
        "Going: we are checking it until 7 March 2026",
        "Silent: we could not check it yet",
    ]
