"""The same rules through the API, the CLI and the web page."""

from __future__ import annotations

import pytest

from ownup.monitoring.models import CheckRun, EffectivenessCheck, Outcome
from ownup.reporting import services as reporting
from ownup.reporting.models import Mistake, Stage
from tests.conftest import login


def test_api_agrees_runs_and_lists_checks(api_as, reporter, fixed_mistake, http_server, run_tasks):
    api = api_as(reporter)
    path = f"/api/v1/mistakes/{fixed_mistake.pk}/checks"
    bad = api.post(path, {"kind": "http", "name": "Up", "url": "nope", "cron": "61 * * * *"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) >= {"cron"}
    made = api.post(path, {"kind": "http", "name": "Up", "url": http_server.url, "every": "10m"})
    assert made.status_code == 201, made.content
    check = made.json()
    assert (check["schedule"], check["window_days"], check["verdict"]) == (
        "every 10 minutes",
        30,
        "not_started",
    )
    queued = api.post(f"{path}/{check['id']}/run")
    assert queued.status_code == 202
    assert CheckRun.objects.count() == 0  # the probe waits for the worker
    run_tasks()
    shown = api.get(f"{path}/{check['id']}").json()
    assert [r["outcome"] for r in shown["runs"]] == ["passed"]
    assert api.get(path).json()["overall"] == "agreed"  # its window waits for Monitoring


def test_api_hides_checks_of_mistakes_you_cannot_see(api_as, reporter, outsider, fixed_mistake):
    reporting.update(fixed_mistake, {"confidentiality": "team"}, actor=reporter)
    response = api_as(outsider).get(f"/api/v1/mistakes/{fixed_mistake.pk}/checks")
    assert response.status_code == 404


def test_api_close_needs_a_reason_without_verification(api_as, reporter, fixed_mistake):
    api = api_as(reporter)
    path = f"/api/v1/mistakes/{fixed_mistake.pk}/close"
    refused = api.post(path, {"learned": "Owners matter", "advice": "Name owners"})
    assert refused.status_code == 422
    assert "reason" in refused.json()["errors"]
    closed = api.post(path, {"learned": "Owners", "advice": "Name them", "reason": "one-off"})
    assert closed.status_code == 200, closed.content
    assert (closed.json()["stage"], closed.json()["verified"]) == ("closed", False)
    lesson = api.get(f"/api/v1/mistakes/{fixed_mistake.pk}/lesson").json()
    assert lesson["learned"] == "Owners"


def test_check_add_help_shows_the_real_defaults_not_zero(cli):
    shown = " ".join(cli("check", "add", "--help").output.replace("│", " ").split())
    assert shown.count("[default: 0]") == 1  # the expected exit code's, which is 0
    assert "exit code. [default: 0]" in shown
    assert "[default: 0.0]" not in shown
    for words in ["(default 30)", "(default 200)", "(default 5, 30 for a command)"]:
        assert words in shown


def test_cli_takes_weeks_and_refuses_an_interval_too_long(cli, admin_user, fixed_mistake):
    from ownup.monitoring.models import EffectivenessCheck

    mistake = str(fixed_mistake.pk)
    weekly = cli("check", "add", mistake, "Weekly", "--url", "http://a.example", "--every", "1w")
    assert weekly.exit_code == 0, weekly.output
    assert EffectivenessCheck.objects.get().interval_minutes == 7 * 1440
    huge = cli("check", "add", mistake, "Big", "--url", "http://a.example", "--every", "999999999d")
    assert huge.exit_code == 1
    assert huge.output.strip() == (
        "error: --every: '999999999d' is too long: an interval is at most 365 days."
    )
    assert EffectivenessCheck.objects.count() == 1


def test_cli_adds_lists_runs_and_closes(cli, admin_user, fixed_mistake, http_server):
    mistake = str(fixed_mistake.pk)
    added = cli("check", "add", mistake, "Prices page answers", "--url", http_server.url)
    assert added.exit_code == 0, added.output
    assert "every 5 minutes, 30-day" in " ".join(added.output.split())  # however Rich wraps it
    refused = cli("check", "add", mistake, "x", "--url", http_server.url, "--cron", "nope")
    assert refused.exit_code == 1
    assert "not a cron schedule" in refused.output
    http_server.respond(503, "down for maintenance")
    ran = cli("check", "run", mistake)
    assert "Failed" in ran.output
    assert "HTTP 503" in ran.output
    listed = cli("check", "list", mistake, "--json")
    assert '"last_outcome": "failed"' in listed.output
    closed = cli("close", mistake, "--learned", "Owners", "--advice", "Name them", "-r", "done")
    assert closed.exit_code == 0, closed.output
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.CLOSED


@pytest.mark.browser
def test_the_monitoring_section_shows_checks_and_their_history(
    browser_page, reporter, fixed_mistake, add_check, monitor, http_server, tmp_path
):
    check = add_check(fixed_mistake, url=http_server.url)
    monitor(fixed_mistake)
    check.refresh_from_db()
    for n, outcome in enumerate([Outcome.PASSED] * 8 + [Outcome.FAILED] + [Outcome.PASSED] * 3):
        CheckRun.objects.create(
            check_ref=check,
            slot=check.window_started_at.replace(minute=n),
            outcome=outcome,
            duration_ms=100 + n * 20,
            detail="HTTP 200" if outcome == Outcome.PASSED else "HTTP 500, expected 200",
            in_window=True,
        )
    EffectivenessCheck.objects.filter(pk=check.pk).update(window_passes=11, window_failures=1)
    login(browser_page, reporter)
    browser_page.goto(fixed_mistake.get_absolute_url())
    section = browser_page.locator("#monitoring")
    assert "The price list service answers" in section.inner_text()
    assert section.locator("svg.spark rect").count() == 12
    assert "11 held, 1 failed" in section.inner_text()
    section.screenshot(path=str(tmp_path / "monitoring.png"))
    browser_page.goto(f"/mistakes/{fixed_mistake.pk}/checks/add/?kind=sql")
    browser_page.get_by_label("What must hold").fill("No invoice with old prices")
    browser_page.get_by_label("Query").fill("delete from invoices")
    browser_page.get_by_role("button", name="Add the check").click()
    assert browser_page.locator("#field-query .error").count() == 1


def test_web_close_and_a_check_in_answered_on_the_page(
    client,
    reporter,
    responder,
    fixed_mistake,
    add_check,
    monitor,
    django_capture_on_commit_callbacks,
):
    check = add_check(fixed_mistake, kind="checkin", person="bo", name="Customers stopped calling")
    monitor(fixed_mistake)
    from ownup.monitoring import services

    check.refresh_from_db()
    for batch in services.dispatch(now=check.next_due_at):
        services.run_slots(batch)
    client.force_login(responder)
    page = client.get(fixed_mistake.get_absolute_url())
    assert b"You are asked:" in page.content
    run = CheckRun.objects.get()
    client.post(f"/mistakes/{fixed_mistake.pk}/checkins/{run.pk}/", {"answer": "no"})
    run.refresh_from_db()
    assert run.outcome == Outcome.FAILED
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.MONITORING  # one "no" of the two in a row that reopen
    client.force_login(reporter)
    refused = client.post(
        f"/mistakes/{fixed_mistake.pk}/close/", {"learned": "x", "advice": "y"}, follow=True
    )
    assert b"Closing without verification needs a reason" in refused.content
    closed = client.post(
        f"/mistakes/{fixed_mistake.pk}/close/",
        {"learned": "Ask customers", "advice": "Ask them", "reason": "no calls since"},
        follow=True,
    )
    assert b"Closed, with a reason" in closed.content
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.CLOSED


def test_checks_print_square_brackets_as_typed(cli, admin_user, fixed_mistake, http_server):
    mistake = str(fixed_mistake.pk)
    name = "[x][bold][/]"
    added = cli("check", "add", mistake, name, "--url", http_server.url, "--text", "[/] ok")
    assert added.exit_code == 0, added.output
    assert f"for #{mistake}: {name} (" in added.output
    http_server.respond(200, "down")
    ran = cli("check", "run", mistake)
    assert ran.exit_code == 0, ran.output
    assert f"{name}: HTTP 200, but the page does not contain '[/] ok'" in " ".join(
        ran.output.split()
    )
    listed = cli("check", "list", mistake)
    assert listed.exit_code == 0, listed.output
    assert name in listed.output


def test_a_checks_page_names_its_settings_as_the_form_does(
    client, reporter, fixed_mistake, add_check, http_server
):
    check = add_check(fixed_mistake, url=http_server.url, expect_text="Account no.")
    client.force_login(reporter)
    page = client.get(f"/mistakes/{fixed_mistake.pk}/checks/{check.pk}/").content.decode()
    for label in ("<dt>URL</dt>", "<dt>Expected status</dt>", "<dt>Page contains</dt>"):
        assert label in page
    assert "Expected_status" not in page
    assert "<dt>JSONPath</dt>" not in page  # left empty, left out


def test_a_check_in_suggests_the_mistakes_people_who_may_see_it(
    client, reporter, responder, outsider, make_user, billing, fixed_mistake
):
    from ownup.monitoring.services import people_to_ask

    reporter.first_name, reporter.last_name = "Cy", "Okafor"
    reporter.save()
    quiet = make_user("dee", team=billing)  # of the team, with no address to ask at
    quiet.email = ""
    quiet.save()
    assert [p.username for p in people_to_ask(fixed_mistake)] == ["bo", "cy"]
    Mistake.objects.filter(pk=fixed_mistake.pk).update(confidentiality="restricted")
    fixed_mistake.refresh_from_db()
    assert [p.username for p in people_to_ask(fixed_mistake)] == ["cy"]

    client.force_login(reporter)
    html = client.get(f"/mistakes/{fixed_mistake.pk}/checks/add/?kind=checkin").content.decode()
    assert 'list="people-to-ask"' in html
    assert '<option value="cy">Cy Okafor</option>' in html
    assert (
        "datalist" not in client.get(f"/mistakes/{fixed_mistake.pk}/checks/add/").content.decode()
    )
