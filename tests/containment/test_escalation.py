"""A mistake not contained in its severity's time tells the team's managers, once per level."""

from datetime import UTC, datetime, timedelta

import pytest

from ownup.containment import services
from ownup.containment.models import Escalation
from ownup.containment.tasks import escalate_uncontained
from ownup.organisation.models import Role
from ownup.reporting import services as reporting

REPORTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def late(time_machine, reporter, billing):
    """A high-severity mistake (60 minutes to contain) reported at 09:00."""
    time_machine.move_to(REPORTED, tick=False)
    return reporting.report(
        {
            "title": "Sent the March invoices with last year's prices",
            "team": "billing",
            "severity": "high",
        },
        reporter=reporter,
    )


def _escalate(run_tasks):
    escalate_uncontained()
    return run_tasks()


def _escalations(smtp_server):
    """The escalation emails received (a new report's own notice is not what is tested here)."""
    return [m for m in smtp_server.received if "Not contained in time" in m.message["Subject"]]


def test_managers_hear_once_per_level(
    time_machine, late, manager, responder, make_user, platform, smtp_server, run_tasks
):
    make_user("dee", team=platform, role=Role.MANAGER)  # manages another team: not told

    time_machine.move_to(REPORTED + timedelta(minutes=59), tick=False)
    _escalate(run_tasks)
    assert _escalations(smtp_server) == []

    time_machine.move_to(REPORTED + timedelta(minutes=61), tick=False)
    _escalate(run_tasks)
    assert [m.recipients for m in _escalations(smtp_server)] == [["ada@example.com"]]
    mail = _escalations(smtp_server)[0].message
    assert "Not contained in time" in mail["Subject"]
    assert f"/mistakes/{late.pk}/" in mail.get_content()

    time_machine.move_to(REPORTED + timedelta(minutes=90), tick=False)
    _escalate(run_tasks)
    _escalate(run_tasks)
    assert len(_escalations(smtp_server)) == 1

    time_machine.move_to(REPORTED + timedelta(minutes=121), tick=False)
    _escalate(run_tasks)
    assert len(_escalations(smtp_server)) == 2
    assert list(Escalation.objects.values_list("level", "notified")) == [
        (1, ["ada"]),
        (2, ["ada"]),
    ]
    assert "Escalated to the managers (level 2)" in " ".join(
        late.timeline.values_list("text", flat=True)
    )


def test_a_contained_mistake_does_not_escalate(
    time_machine, late, manager, responder, smtp_server, run_tasks
):
    time_machine.move_to(REPORTED + timedelta(minutes=20), tick=False)
    services.record_action(
        late,
        actor=responder,
        what="Paused the invoice run",
        could_harm="Late invoices",
        reversible=True,
        rollback="Resume it",
        agreed_by="Ada",
        remove_by=REPORTED + timedelta(days=2),
    )
    time_machine.move_to(REPORTED + timedelta(hours=5), tick=False)
    _escalate(run_tasks)
    assert _escalations(smtp_server) == []
    assert not Escalation.objects.exists()


def test_only_managers_who_can_see_it_are_told(
    time_machine, reporter, manager, make_user, billing, smtp_server, run_tasks
):
    insider = make_user("fay", team=billing, role=Role.MANAGER)
    time_machine.move_to(REPORTED, tick=False)
    hidden = reporting.report(
        {
            "title": "Salary spreadsheet shared with the whole company",
            "team": "billing",
            "severity": "high",
            "confidentiality": "restricted",
            "restricted_to": ["fay"],
        },
        reporter=reporter,
    )
    time_machine.move_to(REPORTED + timedelta(minutes=61), tick=False)
    _escalate(run_tasks)
    assert [m.recipients for m in _escalations(smtp_server)] == [[insider.email]]
    assert Escalation.objects.get(mistake=hidden).notified == ["fay"]


def test_a_worker_that_was_down_sends_the_highest_level_only(
    time_machine, late, manager, smtp_server, run_tasks
):
    time_machine.move_to(REPORTED + timedelta(hours=5), tick=False)
    _escalate(run_tasks)
    assert list(Escalation.objects.values_list("level", flat=True)) == [3]
    assert len(_escalations(smtp_server)) == 1
