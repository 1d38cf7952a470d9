"""Reminders before the due date and escalation after it: real email, a controlled clock."""

from datetime import datetime, time, timedelta

from django.core import mail
from django.utils import timezone

from ownup.fixes import services
from ownup.fixes.models import FixPolicy
from ownup.fixes.tasks import escalate_overdue_actions, remind_due_actions


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_the_owner_is_reminded_once_before_the_due_date(
    mistake, responder, smtp_server, time_machine
):
    start = timezone.localdate()
    time_machine.move_to(_at(start))
    FixPolicy.objects.update_or_create(pk=1, defaults={"remind_days_before": 2})
    due = start + timedelta(days=5)
    services.add_action(
        mistake,
        {"title": "Load prices from the contract system", "owner": "bo", "due_date": due},
        actor=responder,
    )
    assert remind_due_actions.call_local() == 0  # five days out: too early

    time_machine.move_to(_at(due - timedelta(days=2)))
    assert remind_due_actions.call_local() == 1
    assert remind_due_actions.call_local() == 0  # the next hourly run sends nothing twice
    [mail] = smtp_server.received
    assert mail.recipients == ["bo@example.com"]
    assert mail.message["Subject"] == "Due in 2 days: Load prices from the contract system"
    body = mail.message.get_content()
    assert "Sent the March invoices" in body
    assert f"/mistakes/{mistake.pk}/#fixes" in body


def test_an_overdue_action_escalates_to_the_owners_manager_once(
    mistake, responder, manager, smtp_server, time_machine
):
    start = timezone.localdate()
    time_machine.move_to(_at(start))
    action = services.add_action(
        mistake,
        {"title": "Add a price check to the invoice run", "owner": "bo", "due_date": start},
        actor=responder,
    )
    assert escalate_overdue_actions.call_local() == 0  # due today is not late

    time_machine.move_to(_at(start + timedelta(days=3)))
    assert escalate_overdue_actions.call_local() == 1
    assert escalate_overdue_actions.call_local() == 0
    escalations = [m for m in smtp_server.received if m.message["Subject"].startswith("Overdue")]
    assert [m.recipients for m in escalations] == [["ada@example.com"]]
    assert "3 days past its due date" in escalations[0].message.get_content()

    # A new due date earns a new escalation if it is missed too.
    services.update_action(
        action, {"due_date": timezone.localdate() + timedelta(days=1)}, actor=responder
    )
    time_machine.move_to(_at(start + timedelta(days=6)))
    assert escalate_overdue_actions.call_local() == 1


def test_a_done_action_is_neither_reminded_nor_escalated(
    mistake, responder, manager, smtp_server, time_machine
):
    start = timezone.localdate()
    time_machine.move_to(_at(start))
    action = services.add_action(
        mistake,
        {"title": "Add a price check", "owner": "bo", "due_date": start + timedelta(days=1)},
        actor=responder,
    )
    services.complete_action(action, "PR 481", actor=responder)
    time_machine.move_to(_at(start + timedelta(days=4)))
    assert remind_due_actions.call_local() == 0
    assert escalate_overdue_actions.call_local() == 0
    assert smtp_server.received == []


def test_the_owner_hears_of_an_action_given_to_them_not_of_one_they_took(
    mistake, reporter, responder, manager, run_tasks
):
    due = timezone.localdate() + timedelta(days=9)
    given = services.add_action(
        mistake, {"title": "Load prices from the contract system", "owner": "bo", "due_date": due},
        actor=manager,
    )  # fmt: skip
    services.add_action(
        mistake, {"title": "Check the import", "owner": "bo", "due_date": due}, actor=responder
    )
    assert run_tasks() == [1]
    [sent] = mail.outbox
    assert sent.to == [responder.email]
    assert sent.subject == f"Yours to do by {due:%-d %B}: Load prices from the contract system"
    assert "ada gave you an action" in sent.body
    assert "It is a corrective action (medium)" in sent.body
    assert f"/mistakes/{mistake.pk}/#fixes" in sent.body

    mail.outbox.clear()
    services.update_action(given, {"owner": "cy"}, actor=responder)
    services.update_action(given, {"title": "Load prices from contracts"}, actor=responder)
    assert run_tasks() == [1]
    assert [m.to for m in mail.outbox] == [[reporter.email]]
