"""Sending: real SMTP and a real HTTP server behind Apprise, retries, acknowledgement links."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client

from ownup.communication.models import Recipient
from ownup.communication.tasks import FIRST_RETRY_DELAY, RETRIES
from ownup.reporting import stages
from tests.conftest import free_port


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Sends by API; the request's transaction commits, so the delivery is queued."""

    def post(api, mistake, recipients, audience="team", subject="Update on the March invoices"):
        with django_capture_on_commit_callbacks(execute=True):
            return _post(api, mistake, recipients, audience, subject)

    return post


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _post(api, mistake, recipients, audience, subject):
    return api.post(
        f"/api/v1/mistakes/{mistake.pk}/messages",
        {
            "audience": audience,
            "subject": subject,
            "body": "The invoice run used the 2025 price list. We corrected it.",
            "recipients": recipients,
        },
    )


def _ack_link(mail) -> str:
    found = re.search(r"https?://\S+/acknowledge/\S+/", mail.message.get_content())
    assert found, mail.message.get_content()
    return found.group(0)


def test_email_is_sent_and_acknowledged_through_its_signed_link(
    send, committed, api_as, mistake, responder, smtp_server, run_tasks
):
    api = api_as(responder)
    response = send(api, mistake, ["Customer One <one@customer.example>"], audience="customers")
    assert response.status_code == 201, response.content
    assert response.json()["recipients"][0]["state"] == "queued"
    assert smtp_server.received == []  # the request only queues; the worker sends

    assert run_tasks() == ["sent"]
    [mail] = smtp_server.received
    assert mail.recipients == ["one@customer.example"]
    assert mail.message["Subject"] == "Update on the March invoices"
    assert "We corrected it." in mail.message.get_content()

    link = _ack_link(mail)
    path = link.split("://", 1)[1].split("/", 1)[1]
    visitor = Client()  # not logged in
    page = visitor.get("/" + path)
    assert page.status_code == 200
    assert "I have read this" in page.content.decode()
    assert "We corrected it." in page.content.decode()  # what is to be read, on the page too
    thanked = visitor.post("/" + path)
    assert "You acknowledged" in thanked.content.decode()

    recipient = Recipient.objects.get()
    assert recipient.acknowledged_at is not None
    messages = api.get(f"/api/v1/mistakes/{mistake.pk}/messages").json()
    assert messages[0]["recipients"][0]["acknowledged_at"] is not None
    owner_view = Client()
    owner_view.force_login(responder)
    story = owner_view.get(mistake.get_absolute_url()).content.decode()
    assert "Acknowledged" in story
    assert "1 of 1 acknowledged" in story
    # Everyone who sees the mistake reads its timeline and its postmortem: counts, no addresses.
    from ownup import postmortem
    from ownup.reporting.models import TimelineEntry

    [entry] = TimelineEntry.objects.filter(text__startswith="Acknowledged")
    assert entry.text == "Acknowledged by 1 of 1 recipients: Update on the March invoices"
    assert "one@customer.example" not in postmortem.markdown(mistake, responder)


def test_a_tampered_acknowledgement_link_is_refused_clearly(
    send, committed, api_as, mistake, responder, smtp_server, run_tasks
):
    send(api_as(responder), mistake, ["one@customer.example"])
    run_tasks()
    link = _ack_link(smtp_server.received[0])
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = path.replace(token, token[:-3] + ("abc" if not token.endswith("abc") else "xyz"))
    for attempt in (tampered, "/acknowledge/made-up/"):
        page = Client().post(attempt)
        assert page.status_code == 400
        assert "not valid" in page.content.decode()
    assert Recipient.objects.get().acknowledged_at is None


def test_a_mail_server_that_is_down_loses_nothing(
    send, committed, api_as, mistake, responder, settings, run_tasks, run_retries, request
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    send(api_as(responder), mistake, ["one@customer.example"])
    assert run_tasks() == [None]  # the attempt failed and was scheduled again
    recipient = Recipient.objects.get()
    assert recipient.state == "queued"
    assert recipient.attempts == 1
    assert "refused" in recipient.error.lower() or "connect" in recipient.error.lower()

    smtp_server = request.getfixturevalue("smtp_server")  # the mail server comes back
    assert run_retries(timedelta(seconds=FIRST_RETRY_DELAY - 5)) == []  # not yet due
    assert run_retries(timedelta(seconds=FIRST_RETRY_DELAY + 1)) == ["sent"]
    recipient.refresh_from_db()
    assert (recipient.state, recipient.attempts, recipient.error) == ("sent", 2, "")
    assert [m.recipients for m in smtp_server.received] == [["one@customer.example"]]


def test_apprise_delivers_to_a_webhook_and_retries_after_a_500(
    send, committed, api_as, mistake, responder, http_server, run_tasks, run_retries
):
    port = http_server.server_address[1]
    http_server.respond(500, "broken")
    response = send(api_as(responder), mistake, [f"json://127.0.0.1:{port}/hooks/ownup"])
    assert response.status_code == 201, response.content
    assert response.json()["recipients"][0]["address"] == "json://…"  # the URL stays private

    run_tasks()
    recipient = Recipient.objects.get()
    assert (recipient.state, recipient.attempts) == ("queued", 1)
    assert "500" in recipient.error or "JSON" in recipient.error

    http_server.respond(200, '{"ok": true}', "application/json")
    assert run_retries(timedelta(seconds=FIRST_RETRY_DELAY + 1)) == ["sent"]
    recipient.refresh_from_db()
    assert recipient.state == "sent"
    assert [r.path for r in http_server.requests] == ["/hooks/ownup", "/hooks/ownup"]
    delivered = json.loads(http_server.requests[-1].body)
    assert delivered["title"] == "Update on the March invoices"
    assert "We corrected it." in delivered["message"]


def test_delivery_that_keeps_failing_ends_failed_with_the_reason_and_can_be_resent(
    send, committed, api_as, mistake, responder, http_server, run_tasks, run_retries
):
    port = http_server.server_address[1]
    http_server.respond(500, "broken")
    api = api_as(responder)
    message = send(api, mistake, [f"json://127.0.0.1:{port}/hook"]).json()
    run_tasks()
    delay = FIRST_RETRY_DELAY
    for _ in range(RETRIES):
        delay *= 2
        run_retries(timedelta(seconds=delay + 1))
    recipient = Recipient.objects.get()
    assert recipient.state == "failed"
    assert recipient.attempts == RETRIES + 1
    assert recipient.error

    http_server.respond(200, "{}", "application/json")
    with committed():
        assert api.post(f"/api/v1/messages/{message['id']}/resend").json() == {"queued": 1}
    assert run_tasks() == ["sent"]


def test_told_needs_a_message_that_was_sent(
    send, committed, api_as, mistake, responder, smtp_server, run_tasks
):
    api = api_as(responder)
    stages.move(mistake, "fixed", actor=responder, reason="earlier stages were done on paper")
    refused = api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "told"})
    assert refused.status_code == 409
    assert "no message" in refused.json()["detail"]
    send(api, mistake, ["one@customer.example"])
    assert api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "told"}).status_code == 409
    run_tasks()  # queued is not told: sent is
    moved = api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "told"})
    assert moved.status_code == 200, moved.content


def test_a_reminder_goes_only_to_those_who_have_not_acknowledged(
    send, committed, api_as, mistake, responder, smtp_server, run_tasks
):
    api = api_as(responder)
    message = send(api, mistake, ["one@customer.example", "two@customer.example"]).json()
    run_tasks()
    first = next(m for m in smtp_server.received if m.recipients == ["one@customer.example"])
    path = "/" + _ack_link(first).split("://", 1)[1].split("/", 1)[1]
    Client().post(path)

    with committed():
        assert api.post(f"/api/v1/messages/{message['id']}/remind").json() == {"queued": 1}
    assert run_tasks() == ["reminded"]
    reminder = smtp_server.received[-1]
    assert reminder.recipients == ["two@customer.example"]
    assert reminder.message["Subject"].startswith("Reminder: ")
    assert Recipient.objects.get(address="two@customer.example").reminded_at is not None


def test_the_migration_takes_the_addresses_out_of_earlier_acknowledgements(mistake):
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    from ownup.communication.models import Message
    from ownup.reporting.models import TimelineEntry

    message = Message.objects.create(
        mistake=mistake, audience_name="Customers", subject="We are sorry", body="Text"
    )
    for name, address, read in [("Ann", "ann@x.example", True), ("", "bo@x.example", True),
                                ("", "cy@x.example", False)]:  # fmt: skip
        Recipient.objects.create(
            message=message, channel=Recipient.Channel.EMAIL, name=name, address=address,
            state=Recipient.State.SENT, acknowledged_at=timezone.now() if read else None,
        )  # fmt: skip
    for who in ["Ann <ann@x.example>", "bo@x.example"]:
        text = f"{who} acknowledged: We are sorry"
        TimelineEntry.objects.create(mistake=mistake, kind=TimelineEntry.Kind.EVENT, text=text)
    migration = import_module(
        "ownup.communication.migrations.0005_acknowledgements_without_addresses"
    )
    migration.counts_for_addresses(apps, None)
    texts = sorted(
        mistake.timeline.filter(text__contains="cknowledged").values_list("text", flat=True)
    )
    assert texts == [
        "Acknowledged by 1 of 3 recipients: We are sorry",
        "Acknowledged by 2 of 3 recipients: We are sorry",
    ]
