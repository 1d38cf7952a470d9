"""What is waiting for a person: on the list page, from ``ownup waiting`` and the API."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ownup.containment import services as containment
from ownup.fixes import services as fixes
from ownup.fixes.models import Action
from ownup.monitoring.models import CheckKind, CheckRun, EffectivenessCheck, Outcome
from ownup.reporting import services, stages, waiting
from ownup.reporting.models import Stage

TODAY = date(2026, 3, 10)


def nine_on(day):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9, 0))


@pytest.fixture
def today(time_machine):
    time_machine.move_to(nine_on(TODAY), tick=False)
    return TODAY


@pytest.fixture
def earlier(time_machine):
    """Goes back a week for the length of a ``with``: dates then in the future are late now."""

    class Earlier:
        def __enter__(self):
            time_machine.move_to(nine_on(TODAY - timedelta(days=7)), tick=False)

        def __exit__(self, *exc):
            time_machine.move_to(nine_on(TODAY), tick=False)

    return Earlier()


@pytest.fixture
def mistake(reporter, responder, billing):
    made = services.report(
        {"title": "Sent the March invoices with last year's prices", "team": "billing"},
        reporter=reporter,
    )
    return services.update(made, {"owner": responder.username}, actor=responder)


def whats(user):
    return [item.what for item in waiting.everything_for(user)]


def test_the_owner_is_asked_for_each_open_mistakes_next_step(today, mistake, responder):
    assert whats(responder) == [stages.NEXT_STEP[Stage.REPORTED]]
    stages.move(mistake, Stage.CLOSED, actor=responder, reason="a one-off")
    assert whats(responder) == []


def test_actions_come_with_their_due_date_the_late_ones_first(today, earlier, mistake, reporter):
    with earlier:
        for title, due in [("Check the prices", "2026-03-20"), ("Send credit notes", "2026-03-08")]:
            fixes.add_action(
                mistake, {"title": title, "owner": "cy", "due_date": due}, actor=reporter
            )
        done = fixes.add_action(
            mistake,
            {"title": "Tell sales", "owner": "cy", "due_date": "2026-03-05"},
            actor=reporter,
        )
    fixes.complete_action(done, "told them on the call", actor=reporter)

    items = waiting.everything_for(reporter)
    assert [(i.what, i.due, i.late) for i in items] == [
        ("Do the action “Send credit notes”", date(2026, 3, 8), True),
        ("Do the action “Check the prices”", date(2026, 3, 20), False),
    ]
    assert items[0].url == mistake.get_absolute_url() + "#fixes"


def test_a_containment_that_cannot_be_undone_waits_for_someone_else_who_may_act(
    today, mistake, responder, manager, outsider
):
    containment.record_action(
        mistake, actor=responder, what="Deleted the queued invoice runs", could_harm="Nothing",
        reversible=False, agreed_by="Ada", remove_by=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    asked = "Decide whether to approve “Deleted the queued invoice runs”: it cannot be undone"
    assert asked in whats(manager)
    assert asked not in whats(responder)  # its author
    assert whats(outsider) == []  # may see the mistake, may not act on it


def test_a_containment_past_its_removal_date_is_its_owners_to_remove(
    today, earlier, mistake, responder
):
    with earlier:
        containment.record_action(
            mistake, actor=responder, what="Paused the invoice run", could_harm="Late invoices",
            reversible=True, rollback="Start it again", agreed_by="Ada",
            remove_by=timezone.now() + timedelta(days=6),
        )  # fmt: skip
    [item] = [i for i in waiting.everything_for(responder) if "containment" in i.what]
    assert (item.what, item.late) == ("Remove the containment “Paused the invoice run”", True)


def test_a_check_in_waits_for_its_person(today, mistake, reporter):
    check = EffectivenessCheck.objects.create(
        mistake=mistake, kind=CheckKind.CHECKIN, name="Invoices go out right", person=reporter
    )
    CheckRun.objects.create(check_ref=check, slot=timezone.now(), outcome=Outcome.WAITING)
    assert "Answer the check-in “Invoices go out right”: still fine?" in whats(reporter)


def test_nothing_waits_in_a_mistake_the_person_cannot_see(today, secret, reporter, outsider):
    Action.objects.create(
        mistake=secret, title="Change the folder's sharing", owner=outsider, due_date=TODAY
    )
    assert whats(outsider) == []


def test_the_list_page_the_cli_and_the_api_show_the_same(
    today, earlier, mistake, reporter, manager, client, api_as, ownup_cli
):
    with earlier:
        fixes.add_action(
            mistake, {"title": "Check the prices", "owner": "cy", "due_date": "2026-03-08"},
            actor=reporter,
        )  # fmt: skip
    client.force_login(reporter)
    page = client.get("/mistakes/").content.decode()
    assert "Waiting for you" in page
    assert "Do the action “Check the prices”" in page
    assert "late, due 8 Mar" in page

    [record] = api_as(reporter).get("/api/v1/waiting").json()
    assert record["what"] == "Do the action “Check the prices”"
    assert (record["mistake"], record["due"], record["late"]) == (mistake.pk, "2026-03-08", True)

    shown = ownup_cli("--user", "cy", "waiting", "--json")
    assert json.loads(shown.output) == [record]
    assert "Nothing is waiting for you." in ownup_cli("--user", manager.username, "waiting").output


def test_a_message_sent_by_email_waits_for_its_acknowledgement(today, mistake, reporter, client):
    from ownup.communication.models import Message, Recipient

    message = Message.objects.create(
        mistake=mistake, audience_name="The team", subject="Where we are", body="Text"
    )
    recipient = Recipient.objects.create(
        message=message, channel=Recipient.Channel.EMAIL, address=reporter.email.upper(),
        state=Recipient.State.SENT, sent_at=timezone.now(),
    )  # fmt: skip
    [item] = [i for i in waiting.everything_for(reporter) if "acknowledge" in i.what]
    assert item.what == "Read and acknowledge “Where we are”"
    client.post(item.url)  # the acknowledgement page's one button
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is not None
    assert not [i for i in waiting.everything_for(reporter) if "acknowledge" in i.what]


def test_unread_messages_are_found_by_an_index_of_the_address(db):
    from django.db import connection

    from ownup.communication.waiting import unread_by

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # an empty table is read whole otherwise
            cursor.execute("SET LOCAL enable_seqscan = off")
    assert "recipient_unread_by_address" in unread_by("Ann@Example.com")[:20].explain()


def test_approvals_wait_for_those_who_may_give_them_whatever_the_others(
    today, mistake, responder, manager, make_user, platform
):
    from ownup.organisation.models import Role
    from ownup.reporting import services as reporting

    # More proposals in another team than the panel shows: they must not hide this one.
    elsewhere = make_user("fay", team=platform, role=Role.RESPONDER)
    for n in range(waiting.MOST_EACH + 2):
        other = reporting.report({"title": f"Platform slip {n}", "team": "platform"},
                                 reporter=elsewhere)  # fmt: skip
        containment.record_action(
            other, actor=elsewhere, what=f"Purge queue {n}", could_harm="Nothing",
            reversible=False, agreed_by="Fay", remove_by=timezone.now() + timedelta(days=3),
        )  # fmt: skip
    containment.record_action(
        mistake, actor=responder, what="Deleted the queued invoice runs", could_harm="Nothing",
        reversible=False, agreed_by="Ada", remove_by=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    approvals = [i.what for i in waiting.everything_for(manager) if "approve" in i.what]
    assert approvals == [
        "Decide whether to approve “Deleted the queued invoice runs”: it cannot be undone"
    ]
    for person, mistake_ in ((manager, mistake), (elsewhere, other), (responder, other)):
        acting = reporting.Mistake.objects.filter(reporting.may_act_on(person), pk=mistake_.pk)
        assert acting.exists() == reporting.can_act(person, mistake_)


def test_a_proposal_on_a_closed_mistake_waits_for_no_one(today, mistake, responder, manager):
    from ownup.reporting import stages

    containment.record_action(
        mistake, actor=responder, what="Closed the old bank account", could_harm="Payments",
        reversible=False, agreed_by="Ada", remove_by=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    assert [i for i in waiting.everything_for(manager) if "approve" in i.what]
    stages.move(mistake, "closed", actor=manager, reason="handled elsewhere")
    assert not [i for i in waiting.everything_for(manager) if "approve" in i.what]
