"""Reports from elsewhere: monitoring's alerts over the API, and Slack's slash command."""

import hashlib
import hmac
import re
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ownup.organisation.models import SlackAccount
from ownup.organisation.services import connect_slack
from ownup.reporting import stages
from ownup.reporting.models import AlertKey, Mistake, Stage

FIRING = {
    "status": "firing",
    "labels": {"alertname": "InvoiceRunFailed", "severity": "critical", "team": "billing",
               "job": "invoices"},
    "annotations": {"summary": "The invoice run failed", "description": "Exit code 3 at 02:00."},
    "startsAt": "2026-03-01T02:00:00Z",
    "generatorURL": "http://prometheus.example/graph?g0.expr=up",
    "fingerprint": "a1b2c3",
}  # fmt: skip


def alertmanager(*alerts):
    """The body Alertmanager (and Grafana's alerting) posts to a webhook."""
    return {"version": "4", "status": "firing", "receiver": "ownup", "alerts": list(alerts)}


@pytest.fixture
def monitoring(make_user, billing, api_as):
    """The account the monitoring server posts with, as an admin would set it up."""
    return api_as(make_user("alertmanager", admin=True))


def test_an_alert_is_reported_once_then_told_to_its_open_mistake(monitoring):
    first = monitoring.post("/api/v1/alerts", alertmanager(FIRING))
    assert first.status_code == 200, first.content
    [answer] = first.json()
    assert answer["created"] is True
    mistake = Mistake.objects.get(pk=answer["mistake_id"])
    assert mistake.title == "The invoice run failed"
    assert mistake.discovered_by == "check"
    assert mistake.severity.name == "critical"
    assert mistake.team.slug == "billing"
    assert "Exit code 3 at 02:00." in mistake.description
    assert "job: invoices" in mistake.description
    assert [t.name for t in mistake.tags.all()] == ["invoicerunfailed"]
    assert mistake.noticed_at.isoformat().startswith("2026-03-01T02:00")
    assert mistake.occurred_at is None

    again = monitoring.post("/api/v1/alerts", alertmanager(FIRING)).json()
    assert again == [{**answer, "created": False}]
    resolved = monitoring.post("/api/v1/alerts", alertmanager({**FIRING, "status": "resolved"}))
    assert resolved.json()[0]["mistake_id"] == mistake.pk
    assert Mistake.objects.count() == 1
    texts = list(mistake.timeline.values_list("text", flat=True))
    assert texts[-2:] == ["The alert fired again", "The alert resolved"]
    assert AlertKey.objects.get(key="a1b2c3").times == 2
    page = Client()
    page.force_login(mistake.reporter)
    assert "fired 2 times" in page.get(mistake.get_absolute_url()).content.decode()


def test_after_its_mistake_closed_the_same_alert_is_a_new_report(monitoring, admin_user):
    [first] = monitoring.post("/api/v1/alerts", alertmanager(FIRING)).json()
    closed = Mistake.objects.get(pk=first["mistake_id"])
    stages.move(closed, Stage.CLOSED, actor=admin_user, reason="It was a test run")

    [second] = monitoring.post("/api/v1/alerts", alertmanager(FIRING)).json()

    assert second["created"] is True
    assert second["mistake_id"] != closed.pk
    assert AlertKey.objects.get(key="a1b2c3").mistake_id == second["mistake_id"]


def test_a_resolved_alert_with_nothing_open_reports_nothing(monitoring):
    answer = monitoring.post("/api/v1/alerts", alertmanager({**FIRING, "status": "resolved"}))
    assert answer.json() == [{"key": "a1b2c3", "mistake_id": None, "url": None, "created": False}]
    assert not Mistake.objects.exists()


def test_labels_ownup_does_not_know_are_kept_in_the_description(monitoring):
    labels = {"alertname": "DiskFull" * 10, "severity": "page", "team": "storage"}
    [answer] = monitoring.post(
        "/api/v1/alerts", alertmanager({"labels": labels, "annotations": {}})
    ).json()
    mistake = Mistake.objects.get(pk=answer["mistake_id"])
    assert mistake.title == "DiskFull" * 10
    assert [t.name for t in mistake.tags.all()] == [("diskfull" * 10)[:50]]
    assert mistake.team is None
    assert "severity: page" in mistake.description
    assert "team: storage" in mistake.description
    # Without a fingerprint, the same labels are the same alert.
    again = monitoring.post("/api/v1/alerts", alertmanager({"labels": labels})).json()
    assert again[0]["created"] is False


def test_a_plain_alert_from_any_script(monitoring):
    body = {"title": "Nightly export missing", "key": "export-2026-03-01", "tags": ["exports"]}
    [answer] = monitoring.post("/api/v1/alerts", body).json()
    assert answer["created"] is True
    assert answer["url"].endswith(f"/mistakes/{answer['mistake_id']}/")
    assert monitoring.post("/api/v1/alerts", body).json()[0]["created"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"alerts": "many"}, "alerts"),
        ({"alerts": [{"labels": {"job": "x"}}]}, "alerts"),
        ({"title": "Export missing", "status": "pending"}, "status"),
        ({"title": "Export missing", "started_at": "yesterday"}, "started_at"),
        ({"title": "Export missing", "started_at": "2026-13-01T00:00:00Z"}, "started_at"),
        ({"title": "Export missing", "tags": "exports"}, "tags"),
    ],
)
def test_an_unusable_alert_is_refused_naming_what_is_wrong(monitoring, body, field):
    answer = monitoring.post("/api/v1/alerts", body)
    assert answer.status_code == 422
    assert field in answer.json()["errors"]
    assert not Mistake.objects.exists()


def test_a_start_without_a_zone_is_in_utc_and_a_broken_one_from_alertmanager_is_left_out(
    monitoring,
):
    [plain] = monitoring.post(
        "/api/v1/alerts", {"title": "Export missing", "started_at": "2026-03-01T02:00:00"}
    ).json()
    assert (
        Mistake.objects.get(pk=plain["mistake_id"])
        .noticed_at.isoformat()
        .startswith("2026-03-01T02:00:00+00:00")
    )
    [broken] = monitoring.post(
        "/api/v1/alerts", alertmanager({**FIRING, "startsAt": "2026-13-01T00:00:00Z"})
    ).json()
    assert broken["created"] is True


def test_alerts_are_taken_whole_or_not_at_all(monitoring):
    answer = monitoring.post("/api/v1/alerts", alertmanager(FIRING, {"labels": {"job": "x"}}))
    assert answer.status_code == 422
    assert not Mistake.objects.exists()


def test_alerts_need_a_token(client, billing):
    answer = client.post("/api/v1/alerts", {"title": "x"}, content_type="application/json")
    assert answer.status_code == 401


# ------------------------------------------------------------------------------------- Slack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def slack(text, *, user_name="cy", user_id="U123", secret=SECRET, at=None):
    """Posts as Slack does: a form body, signed with the app's signing secret."""
    body = urlencode({"command": "/ownup", "text": text, "user_name": user_name,
                      "user_id": user_id, "team_id": "T1"})  # fmt: skip
    timestamp = str(int(at if at is not None else time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return Client().post(
        "/integrations/slack/",
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature":
                 "v0=" + digest.hexdigest()},
    )  # fmt: skip


def link_in(reply):
    """The path of the link in a Slack reply, written <https://…/path|words>."""
    found = re.search(r"<https?://[^/|>]+(/[^|>]*)\|", reply)
    assert found, reply
    return found.group(1)


@pytest.fixture
def slack_app(settings):
    settings.SLACK_SIGNING_SECRET = SECRET


@pytest.fixture
def connected(slack_app, reporter):
    connect_slack(reporter, "T1", "U123", "cy")
    return reporter


def test_a_slack_command_reports_as_the_connected_ownup_account(connected):
    answer = slack("report Sent the March invoices twice")
    assert answer.status_code == 200
    reply = answer.json()
    mistake = Mistake.objects.get()
    assert mistake.title == "Sent the March invoices twice"
    assert mistake.reporter == connected
    assert reply["response_type"] == "ephemeral"  # only the person who typed it sees it
    assert f"|#{mistake.pk} Sent the March invoices twice>" in reply["text"]


def test_an_unconnected_slack_account_is_given_a_link_that_connects_it_and_reports(
    slack_app, reporter
):
    reply = slack("report Sent the March invoices twice").json()["text"]
    assert "connect your Slack account to ownup" in reply
    assert not Mistake.objects.exists()
    link = link_in(reply)

    assert Client().get(link).status_code == 302  # to the login first
    browser = Client()
    browser.force_login(reporter)
    page = browser.get(link).content.decode()
    assert "@cy" in page
    assert "Sent the March invoices twice" in page
    assert not SlackAccount.objects.exists()  # looking is not connecting

    done = browser.post(link)
    mistake = Mistake.objects.get()
    assert done["Location"] == f"/mistakes/{mistake.pk}/receipt/"
    assert mistake.reporter == reporter
    account = SlackAccount.objects.get()
    assert (account.workspace, account.slack_user, account.user) == ("T1", "U123", reporter)

    again = browser.post(link, follow=True)  # the button pressed twice
    assert Mistake.objects.count() == 1
    assert "This link was followed already" in again.content.decode()

    slack("report Sent the April invoices twice")
    assert Mistake.objects.filter(title__contains="April", reporter=reporter).exists()


def test_a_slack_name_alone_is_no_one(connected, make_user):
    make_user("dee")
    # Anyone may call themselves cy or dee in Slack: only the connected account is cy.
    reply = slack("report Wrong prices", user_name="cy", user_id="U999").json()["text"]
    assert "connect your Slack account" in reply
    slack("report Wrong prices", user_name="dee", user_id="U999")
    assert not Mistake.objects.exists()


def test_a_connection_link_works_for_an_hour_and_only_as_ownup_made_it(slack_app, reporter):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        link = link_in(slack("connect").json()["text"])
    browser = Client()
    browser.force_login(reporter)
    with time_machine.travel(now + timedelta(minutes=59), tick=False):
        assert browser.get(link).status_code == 200
    with time_machine.travel(now + timedelta(minutes=61), tick=False):
        late = browser.post(link)
    assert late.status_code == 400
    assert "stopped working" in late.content.decode()
    forged = browser.post(link.replace("/connect/", "/connect/x"))
    assert forged.status_code == 400
    assert "not a link ownup made" in forged.content.decode()
    assert not SlackAccount.objects.exists()

    with time_machine.travel(now + timedelta(minutes=30), tick=False):
        assert browser.post(link)["Location"] == "/mistakes/"  # nothing was waiting to report
    assert SlackAccount.objects.get().user == reporter
    assert not Mistake.objects.exists()


def test_connecting_again_moves_the_slack_account_to_whoever_connects_it(connected, manager):
    browser = Client()
    browser.force_login(manager)
    browser.post(link_in(slack("connect").json()["text"]))
    assert SlackAccount.objects.get().user == manager


def test_slack_hears_help_and_refuses_a_bad_report_before_any_link(slack_app, reporter):
    assert "/ownup report" in slack("").json()["text"]
    assert "/ownup report" in slack("help").json()["text"]
    too_long = slack("report " + "x" * 300).json()["text"]
    assert "at most" in too_long
    assert "connect" not in too_long
    assert not Mistake.objects.exists()


def test_slack_titles_are_escaped_in_the_reply(connected):
    reply = slack("report Sent <b> & <a> twice").json()["text"]
    assert "Sent &lt;b&gt; &amp; &lt;a&gt; twice>" in reply


def test_an_unsigned_or_stale_slack_request_is_refused(connected):
    assert slack("report x", secret="another").status_code == 401
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        stale = slack("report x", at=(now - timedelta(minutes=6)).timestamp())
        fresh = slack("report Fresh enough", at=(now - timedelta(minutes=4)).timestamp())
    assert stale.status_code == 401
    assert fresh.status_code == 200
    assert list(Mistake.objects.values_list("title", flat=True)) == ["Fresh enough"]


def test_slack_is_off_until_its_secret_is_set(reporter, settings):
    settings.SLACK_SIGNING_SECRET = ""
    answer = slack("report x")
    assert answer.status_code == 404
    assert "OWNUP_SLACK_SIGNING_SECRET" in answer.json()["detail"]


def test_slack_tells_a_connected_person_what_is_waiting_for_them(connected, responder):
    from ownup.reporting import services

    assert "connect your Slack account" in slack("waiting", user_id="U999").json()["text"]
    assert slack("waiting").json()["text"] == "Nothing is waiting for you."
    mistake = services.report({"title": "Wrong <prices>"}, reporter=responder)
    services.update(mistake, {"owner": connected.username}, actor=responder)
    reply = slack("waiting").json()["text"]
    assert reply.startswith("Waiting for you:\n• <http://127.0.0.1:8000/mistakes/")
    assert f"|Contain it: stop the harm with a quick fix that can be undone.> · #{mistake.pk} " in (
        reply
    )
    assert "Wrong &lt;prices&gt;" in reply


def test_a_report_refused_on_connecting_connects_nothing_and_says_why(slack_app, reporter):
    from django.core import signing

    from ownup.reporting import inbound

    # A link made when titles could be longer: its report is refused now.
    ask = inbound.SlackAsk("T1", "U123", "cy", "x" * 500, nonce="n1")
    token = signing.dumps(vars(ask), salt=inbound.SLACK_CONNECT_SALT, compress=True)
    link = f"/integrations/slack/connect/{token}/"
    browser = Client()
    browser.force_login(reporter)
    refused = browser.post(link)
    assert refused.status_code == 400
    assert "Not connected and not reported" in refused.content.decode()
    assert not SlackAccount.objects.exists()
    assert not Mistake.objects.exists()
