"""Each kind of check, with bad input refused clearly and broken targets recorded as failures."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from django.core import signing

from ownup.monitoring import services
from ownup.monitoring.models import CheckRun, Outcome
from ownup.reporting import services as reporting
from ownup.reporting.models import Stage
from ownup.reporting.services import InvalidInput, NotAllowed


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"url": "ftp://x"}, "url", "http://"),
        ({"url": "http://x", "cron": "every tuesday"}, "cron", "not a cron schedule"),
        ({"url": "http://x", "every": "soon"}, "every", "not an interval"),
        ({"url": "http://x", "every": "1000000000d"}, "every", "at most 365 days"),
        ({"url": "http://x", "every": "53w"}, "every", "at most 365 days"),
        ({"url": "http://x", "every": "5m", "cron": "* * * * *"}, "cron", "not both"),
        ({"url": "http://x", "timeout": 999}, "timeout", "at most"),
        ({"url": "http://x", "json_path": "$[["}, "json_path", "JSONPath"),
        ({"url": "http://x", "window_days": 0}, "window_days", ""),
        ({"url": "http://x", "colour": "red"}, "colour", "not a setting"),
        ({"kind": "sql", "database": "nope", "query": "select 1", "value": "1"}, "database", ""),
        ({"kind": "checkin", "person": "ghost"}, "person", "No active user"),
        ({"kind": "recurrence", "threshold": 3}, "threshold", "at most 1"),
    ],
)
def test_bad_checks_are_refused_naming_the_field(fixed_mistake, add_check, data, field, words):
    with pytest.raises(InvalidInput) as refused:
        add_check(fixed_mistake, **data)
    assert field in refused.value.errors
    assert words in " ".join(refused.value.errors[field])


def test_checks_are_agreed_from_the_decision_on(reporter, add_check):
    early = reporting.report({"title": "A typo in the terms", "owner": "cy"}, reporter=reporter)
    with pytest.raises(InvalidInput, match="once the fix is decided"):
        add_check(early, url="http://127.0.0.1:1/")


def test_only_admins_run_commands(fixed_mistake, add_check, admin_user):
    with pytest.raises(NotAllowed, match="only an admin"):
        add_check(fixed_mistake, kind="command", command="true")
    check = add_check(fixed_mistake, kind="command", command="echo fine", actor=admin_user)
    run = services.run_now(check)
    assert (run.outcome, run.detail) == (Outcome.PASSED, "exit code 0: fine")


def test_a_command_that_hangs_is_stopped_and_fails(fixed_mistake, add_check, admin_user):
    check = add_check(
        fixed_mistake, kind="command", command="sleep 30", timeout=0.5, actor=admin_user
    )
    run = services.run_now(check)
    assert run.outcome == Outcome.FAILED
    assert run.detail == "timed out after 0.5 s and was stopped"
    assert run.duration_ms < 5000


def test_a_chatty_command_output_is_capped(fixed_mistake, add_check, admin_user):
    check = add_check(
        fixed_mistake,
        kind="command",
        command="head -c 5000000 /dev/zero | tr '\\0' x; exit 4",
        actor=admin_user,
    )
    run = services.run_now(check)
    assert run.outcome == Outcome.FAILED
    assert run.detail.startswith("exit code 4, expected 0: xxx")
    assert len(run.detail) < 2100


def test_unreachable_and_wrong_answers_are_failures_that_say_why(
    fixed_mistake, add_check, http_server
):
    gone = add_check(fixed_mistake, url="http://127.0.0.1:9/health", timeout=1)
    assert "did not answer" in services.run_now(gone).detail
    http_server.respond(200, '{"prices": {"year": 2025}}', "application/json")
    json_check = add_check(
        fixed_mistake, url=http_server.url, json_path="$.prices.year", json_value="2026"
    )
    run = services.run_now(json_check)
    assert run.outcome == Outcome.FAILED
    assert run.detail == "HTTP 200, $.prices.year = 2025, expected '2026'"
    http_server.respond(200, '{"prices": {"year": 2026}}', "application/json")
    assert services.run_now(json_check).outcome == Outcome.PASSED
    text_check = add_check(fixed_mistake, url=http_server.url, expect_text="2027")
    assert "does not contain '2027'" in services.run_now(text_check).detail


@pytest.fixture
def invoices_db(tmp_path, monkeypatch):
    path = tmp_path / "billing.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("create table invoices (id integer, price_year integer)")
        db.executemany("insert into invoices values (?, ?)", [(1, 2026), (2, 2025)])
    monkeypatch.setenv("OWNUP_CHECK_DATABASES", f"billing=sqlite:///{path},other=sqlite:///x")
    return path


@pytest.mark.parametrize(
    "query",
    [
        "delete from invoices",
        "select 1; delete from invoices",
        "with gone as (delete from invoices returning id) select count(*) from gone",
        "update invoices set price_year = 2026",
        "attach database '/tmp/x' as x",
        "pragma writable_schema = on",
    ],
)
def test_a_query_that_is_not_read_only_is_refused(fixed_mistake, add_check, invoices_db, query):
    with pytest.raises(InvalidInput) as refused:
        add_check(fixed_mistake, kind="sql", database="billing", query=query, value="0")
    assert "query" in refused.value.errors


def test_an_sql_check_compares_the_single_value(fixed_mistake, add_check, invoices_db):
    check = add_check(
        fixed_mistake,
        name="No invoice carries last year's prices",
        kind="sql",
        database="billing",
        query="select count(*) from invoices where price_year < 2026",
        operator="=",
        value="0",
    )
    run = services.run_now(check)
    assert (run.outcome, run.detail) == (Outcome.FAILED, "value 1 = '0' does not hold")
    with sqlite3.connect(invoices_db) as db:
        db.execute("update invoices set price_year = 2026")
    assert services.run_now(check).outcome == Outcome.PASSED


def test_the_read_only_connection_refuses_a_write_the_parser_missed(invoices_db):
    from ownup.monitoring import probes

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        probes._read_only_rows(f"sqlite:///{invoices_db}", "insert into invoices values (3, 1)")


def test_a_check_in_asks_by_email_and_takes_the_answer_from_a_signed_link(
    start,
    fixed_mistake,
    add_check,
    monitor,
    responder,
    smtp_server,
    client,
    run_tasks,
    django_capture_on_commit_callbacks,
    time_machine,
):
    check = add_check(fixed_mistake, kind="checkin", person="bo", every="7d", grace_hours=24)
    monitor(fixed_mistake)
    run_tasks()
    check.refresh_from_db()
    first = check.next_due_at
    time_machine.move_to(first, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        [batch] = services.dispatch()
        services.run_slots(batch)
    run_tasks()
    [mail] = smtp_server.received
    assert mail.recipients == ["bo@example.com"]
    body = mail.message.get_content()
    yes_link = next(line.split()[-1] for line in body.splitlines() if "Yes, it is still" in line)
    page = client.get(yes_link)
    assert page.status_code == 200
    assert b"Is the fix still holding?" in page.content
    assert CheckRun.objects.get().outcome == Outcome.WAITING  # opening the link answers nothing
    client.post(yes_link, {"answer": "yes", "comment": "no complaints this week"})
    run = CheckRun.objects.get()
    assert run.outcome == Outcome.PASSED
    assert run.detail == "bo answered: yes, still fine — no complaints this week"
    again = client.post(yes_link, {"answer": "no"})
    assert b"already answered" in again.content
    forged = client.get(yes_link[:-3] + "abc/")
    assert forged.status_code == 404

    time_machine.move_to(first + timedelta(days=7), tick=False)
    for batch in services.dispatch():
        services.run_slots(batch)
    time_machine.move_to(first + timedelta(days=8, seconds=1), tick=False)
    assert services.expire_checkins() == 1
    missed = CheckRun.objects.order_by("slot").last()
    assert (missed.outcome, missed.detail) == (Outcome.FAILED, "no answer within 24 hours")
    check.refresh_from_db()
    assert check.consecutive_failures == 1


def test_a_check_in_only_asks_someone_who_can_see_the_mistake(
    fixed_mistake, add_check, outsider, reporter
):
    reporting.update(fixed_mistake, {"confidentiality": "team"}, actor=reporter)
    with pytest.raises(InvalidInput, match="cannot see this mistake"):
        add_check(fixed_mistake, kind="checkin", person="eli")


def test_a_recurrence_watch_fails_on_a_similar_new_report_and_links_it(
    start, fixed_mistake, add_check, monitor, reporter, time_machine
):
    check = add_check(fixed_mistake, kind="recurrence", name="It does not happen again")
    assert check.failures_to_reopen == 1
    monitor(fixed_mistake)
    time_machine.move_to(start + timedelta(hours=1), tick=False)
    reporting.report({"title": "The coffee machine is broken"}, reporter=reporter)
    secret = reporting.report(
        {
            "title": "Sent the April invoices with last year's prices",
            "confidentiality": "restricted",
            "restricted_to": ["cy"],
        },
        reporter=reporter,
    )
    assert services.run_now(check).outcome == Outcome.PASSED  # unrelated, or confidential
    again = reporting.report(
        {"title": "Sent the April invoices with old prices again", "tags": ["billing"]},
        reporter=reporter,
    )
    run = services.run_now(check)
    assert run.outcome == Outcome.FAILED
    assert run.related_mistake == again
    assert f"#{again.pk} Sent the April invoices" in run.detail
    assert f"#{secret.pk}" not in run.detail
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.FIXED


def test_signed_links_cannot_be_turned_into_another_answer(fixed_mistake, add_check, client):
    token = signing.dumps({"run": 1, "answer": "maybe"}, salt=services.CHECKIN_SALT)
    assert client.get(f"/checkins/{token}/").status_code == 404


def test_every_problem_is_named_at_once(fixed_mistake, add_check):
    with pytest.raises(InvalidInput) as refused:
        add_check(fixed_mistake, url="not a url", cron="every day")
    assert set(refused.value.errors) == {"url", "cron"}


def test_http_probes_on_many_threads_at_once_make_one_opener(http_server, monkeypatch):
    """A worker's first batch starts its probes together; each used to make its own opener,
    loading the CA certificates once per thread."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from ownup.monitoring import probes

    made = []
    build_opener = urllib.request.build_opener
    monkeypatch.setattr(probes, "_opener", None)
    monkeypatch.setattr(
        urllib.request, "build_opener", lambda *handlers: made.append(1) or build_opener(*handlers)
    )
    config = probes.clean_http({"url": http_server.url + "/health"}, {})
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: probes.run_http(config), range(32)))
    assert {r.detail for r in results} == {"HTTP 200"}
    assert len(http_server.requests) == 32
    assert len(made) == 1
