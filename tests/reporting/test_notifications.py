"""Responders hear of a new report by email, sent by the worker, never in the request."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from huey import RedisHuey
from huey.api import Task
from huey.contrib.djhuey import HUEY

from ownup.organisation.models import Role, Severity
from ownup.reporting import services
from ownup.reporting.tasks import notify_reported


@pytest.fixture
def team(billing, reporter, responder, manager, outsider):
    return billing


def test_the_request_only_queues_the_email(api_as, team, reporter, run_tasks, pending_tasks):
    response = api_as(reporter).post(
        "/api/v1/mistakes", {"title": "Wrong prices", "team": "billing"}
    )
    assert response.status_code == 201
    assert mail.outbox == []
    assert pending_tasks() == 1
    assert run_tasks() == [1]
    assert [m.to for m in mail.outbox] == [["bo@example.com"]]


def test_nothing_is_queued_when_the_report_is_refused(
    api_as, reporter, pending_tasks, transactional_db
):
    api_as(reporter).post("/api/v1/mistakes", {"title": ""})
    assert pending_tasks() == 0


def test_responders_get_a_real_email_with_a_link(smtp_server, team, reporter, run_tasks):
    mistake = services.report(
        {
            "title": "Sent the March invoices with old prices",
            "team": "billing",
            "severity": "medium",
        },
        reporter=reporter,
    )
    run_tasks()
    assert [m.recipients for m in smtp_server.received] == [["bo@example.com"]]
    message = smtp_server.received[0].message
    assert message["Subject"] == "[medium] Reported: Sent the March invoices with old prices"
    body = message.get_content()
    assert f"http://127.0.0.1:8000/mistakes/{mistake.pk}/" in body
    assert "contain within 4 hours" in body
    assert "Reported by: cy" in body


def test_severe_ones_reach_the_managers_too(team, reporter, run_tasks):
    assert Severity.objects.scale().get(name="high").notify_managers
    services.report(
        {"title": "Checkout is down", "team": "billing", "severity": "high"}, reporter=reporter
    )
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "bo@example.com"]


def test_no_email_reaches_someone_who_may_not_see_it(team, reporter, make_user, run_tasks):
    make_user("fay", team=team, role=Role.RESPONDER)
    services.report(
        {
            "title": "Salaries shared",
            "team": "billing",
            "confidentiality": "restricted",
            "restricted_to": ["bo"],
        },
        reporter=reporter,
    )
    run_tasks()
    assert [m.to for m in mail.outbox] == [["bo@example.com"]]


def test_an_anonymous_report_does_not_name_its_reporter(team, reporter, run_tasks):
    services.report(
        {
            "title": "Skipped the double check",
            "team": "billing",
            "confidentiality": "anonymous",
        },
        reporter=reporter,
    )
    run_tasks()
    assert "Reported by: someone who chose to stay anonymous" in mail.outbox[0].body


def test_a_mail_server_that_is_down_fails_the_task_for_a_retry(settings, team, reporter):
    from tests.conftest import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    mistake = services.report({"title": "Wrong prices", "team": "billing"}, reporter=reporter)
    with pytest.raises(ConnectionRefusedError):
        notify_reported.call_local(mistake.pk)


def test_the_task_travels_through_the_real_redis(redis_url, team, reporter):
    queue = RedisHuey("ownup-test-notify", url=redis_url)
    queue.flush()
    send_over_redis = queue.task(retries=2)(notify_reported.call_local)
    mistake = services.report({"title": "Wrong prices", "team": "billing"}, reporter=reporter)
    send_over_redis(mistake.pk)
    assert queue.pending_count() == 1
    assert mail.outbox == []
    task = queue.dequeue()
    assert isinstance(task, Task)
    assert queue.execute(task) == 1
    assert [m.to for m in mail.outbox] == [["bo@example.com"]]
    queue.flush()


def test_a_new_owner_hears_it_is_theirs_unless_they_took_it(team, reporter, responder, run_tasks):
    mistake = services.report({"title": "Wrong prices", "team": "billing"}, reporter=reporter)
    run_tasks()
    mail.outbox.clear()

    services.update(mistake, {"owner": responder.username}, actor=reporter)
    assert run_tasks() == [1]
    [sent] = mail.outbox
    assert sent.to == [responder.email]
    assert sent.subject == f"Yours now: #{mistake.pk} Wrong prices"
    assert "cy made you the owner of this mistake" in sent.body
    assert "Next step: Contain it" in sent.body
    assert f"http://127.0.0.1:8000/mistakes/{mistake.pk}/" in sent.body

    mail.outbox.clear()
    services.update(mistake, {"description": "More words"}, actor=reporter)  # same owner
    services.update(mistake, {"owner": reporter.username}, actor=reporter)  # took it themselves
    run_tasks()
    assert mail.outbox == []


def test_a_report_naming_someone_else_as_owner_tells_them(team, reporter, responder, run_tasks):
    mistake = services.report(
        {"title": "Wrong prices", "owner": responder.username}, reporter=reporter
    )
    run_tasks()
    mine = [m.subject for m in mail.outbox if m.subject.startswith("Yours")]
    assert mine == [f"Yours now: #{mistake.pk} Wrong prices"]


def test_a_teams_chat_gets_its_new_open_reports(team, reporter, run_tasks, http_server):
    import json

    team.chat_url = f"json://127.0.0.1:{http_server.server_address[1]}/hooks/billing"
    team.save()
    mistake = services.report(
        {"title": "Sent the March invoices with old prices", "team": "billing"}, reporter=reporter
    )
    services.report(
        {"title": "Salary spreadsheet shared", "team": "billing", "confidentiality": "restricted",
         "restricted_to": ["bo"]}, reporter=reporter,
    )  # fmt: skip
    run_tasks()
    [posted] = http_server.requests  # the restricted one is never posted
    assert posted.path == "/hooks/billing"
    body = json.loads(posted.body)
    assert body["title"] == "[low] Reported: Sent the March invoices with old prices"
    assert f"http://127.0.0.1:8000/mistakes/{mistake.pk}/" in body["message"]
    assert "found by the person who made it" in body["message"]


def test_a_chat_that_is_down_is_retried_without_emailing_twice(
    team, reporter, run_tasks, http_server
):
    team.chat_url = f"json://127.0.0.1:{http_server.server_address[1]}/hook"
    team.save()
    http_server.respond(500, "down")
    services.report({"title": "Wrong prices", "team": "billing"}, reporter=reporter)
    run_tasks()
    assert len(http_server.requests) == 1
    assert len(mail.outbox) == 1

    http_server.respond(200, '{"ok": true}', "application/json")
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        for task in HUEY.read_schedule():  # what the worker's scheduler runs once it is due
            HUEY.enqueue(task)
        assert run_tasks() == [True]  # the post alone, this time delivered
    assert len(http_server.requests) == 2
    assert len(mail.outbox) == 1
