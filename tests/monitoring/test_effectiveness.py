"""A fix is watched over its window: checks run on their schedule, failures reopen the mistake,
and a window held in full verifies it."""

from __future__ import annotations

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


def test_checks_run_only_while_monitored_and_from_the_next_whole_minute(
    start, fixed_mistake, add_check, monitor, http_server, time_machine
):
    check = add_check(fixed_mistake, url=http_server.url, every="5m")
    assert services.dispatch() == []  # agreed, but the fix is not yet being watched
    time_machine.move_to(start + timedelta(seconds=20), tick=False)
    monitor(fixed_mistake)
    check.refresh_from_db()
    assert check.active
    assert check.next_due_at == start + timedelta(minutes=1)
    assert check.window_ends_at == start + timedelta(seconds=20, days=30)

    time_machine.move_to(start + timedelta(minutes=1), tick=False)
    batches = services.dispatch()
    assert batches == [[(check.pk, start + timedelta(minutes=1))]]
    check.refresh_from_db()
    assert check.next_due_at == start + timedelta(minutes=6)
    assert services.dispatch() == []  # nothing else is due this minute


def test_a_failing_check_reopens_at_fixed_with_evidence_and_tells_the_owner(
    start,
    fixed_mistake,
    add_check,
    monitor,
    http_server,
    time_machine,
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

    def minute(n: int) -> None:
        time_machine.move_to(start + timedelta(minutes=n), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            for batch in services.dispatch():
                services.run_slots(batch)

    minute(1)
    check.refresh_from_db()
    assert check.last_outcome == Outcome.PASSED
    assert check.window_passes == 1

    http_server.respond(500, "price table missing")
    minute(2)
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.MONITORING  # one failure is not yet enough
    minute(3)
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

    minute(4)  # a reopened mistake's checks wait for the next window
    assert CheckRun.objects.filter(check_ref=check).count() == 3


def test_a_window_held_in_full_verifies_and_closes_by_itself_once_the_lesson_is_written(
    start, fixed_mistake, add_check, monitor, http_server, time_machine, reporter
):
    check = add_check(fixed_mistake, url=http_server.url, every="1d", window_days=3)
    monitor(fixed_mistake)
    for day in range(4):
        time_machine.move_to(start + timedelta(days=day, minutes=1), tick=False)
        for batch in services.dispatch():
            services.run_slots(batch)
    check.refresh_from_db()
    assert check.window_passes == 4  # at the start, after one, two and three days (its end)
    assert not check.active  # its window is over: the next slot would fall outside it
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
    start, fixed_mistake, add_check, monitor, http_server, time_machine, reporter
):
    add_check(fixed_mistake, url=http_server.url, every="1d", window_days=2, failures_to_reopen=2)
    monitor(fixed_mistake)
    for day, healthy in enumerate([True, False, True]):
        http_server.respond(200 if healthy else 503, "ok" if healthy else "down")
        time_machine.move_to(start + timedelta(days=day, minutes=1), tick=False)
        for batch in services.dispatch():
            services.run_slots(batch)
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
    start, fixed_mistake, add_check, monitor, http_server, time_machine, reporter
):
    from ownup.monitoring.models import MonitoringPolicy

    MonitoringPolicy.objects.update_or_create(pk=1, defaults={"sign_off_required": True})
    add_check(fixed_mistake, url=http_server.url, every="1d", window_days=1)
    monitor(fixed_mistake)
    services.write_lesson(fixed_mistake, {"learned": "a", "advice": "b"}, actor=reporter)
    for day in range(2):
        time_machine.move_to(start + timedelta(days=day, minutes=1), tick=False)
        for batch in services.dispatch():
            services.run_slots(batch)
    assert services.close_verified() == []
    assert "a person to sign it off" in fixed_mistake.timeline.last().text
    closure = services.close(
        fixed_mistake, {"learned": "a", "advice": "b"}, actor=reporter
    )  # no reason needed: it is verified
    assert closure.verified
    assert closure.closed_by == reporter
