from datetime import UTC, datetime, timedelta

import time_machine

from ownup.learning import digest, tasks
from ownup.reporting.models import Mistake, Stage

MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def close(mistake, at):
    Mistake.objects.filter(pk=mistake.pk).update(stage=Stage.CLOSED, closed_at=at)


def test_weekly_digest_tells_each_person_only_what_they_may_see(
    report, reporter, responder, outsider, manager, smtp_server
):
    open_one = report("Sent the March invoices with last year's prices", by=reporter)
    secret = report("Salary sheet emailed", by=reporter, confidentiality="restricted",
                    restricted_to=["ada"])  # fmt: skip
    old = report("An old one", by=reporter)
    close(open_one, MONDAY - timedelta(days=3))
    close(secret, MONDAY - timedelta(days=2))
    close(old, MONDAY - timedelta(days=30))

    with time_machine.travel(MONDAY, tick=False):
        sent = tasks.weekly_digest.call_local()
        again = tasks.weekly_digest.call_local()

    assert sent == 4  # cy, bo, eli and ada
    assert again == 0  # the second run sends nothing
    by_person = {mail.recipients[0]: mail.message for mail in smtp_server.received}
    assert len(smtp_server.received) == 4
    outsider_mail = by_person["eli@example.com"].get_content()
    assert "Sent the March invoices" in outsider_mail
    assert "Salary sheet" not in outsider_mail
    assert "An old one" not in outsider_mail
    assert "Salary sheet" in by_person["ada@example.com"].get_content()
    assert by_person["ada@example.com"]["Subject"] == "What we learned, week of 16 November 2026"


def test_no_digest_in_a_quiet_week(report, reporter, smtp_server):
    report("Still open", by=reporter)
    with time_machine.travel(MONDAY, tick=False):
        assert digest.send_digests(MONDAY) == 0
    assert smtp_server.received == []


def test_anniversary_reminder_asks_the_owner_once(report, reporter, outsider, smtp_server):
    mistake = report("Sent the March invoices", by=reporter, owner="cy")
    not_yet = report("Closed recently", by=reporter, owner="cy")
    close(mistake, MONDAY - timedelta(days=365))
    close(not_yet, MONDAY - timedelta(days=200))

    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        assert tasks.anniversary_reminders.call_local() == 1
        assert tasks.anniversary_reminders.call_local() == 0
    with time_machine.travel(MONDAY - timedelta(days=1), tick=False):
        assert digest.send_anniversary_reminders(MONDAY - timedelta(days=1)) == 0

    [mail] = smtp_server.received
    assert mail.recipients == ["cy@example.com"]
    assert "still holding" in mail.message["Subject"]
    assert f"/mistakes/{mistake.pk}/" in mail.message.get_content()
