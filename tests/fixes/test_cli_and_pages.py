"""The real fix from the command line and on the mistake's page."""

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from ownup.fixes import services as fixes
from ownup.fixes.models import Action


def test_action_add_done_list_from_the_command_line(ownup_cli, mistake, responder):
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    added = ownup_cli(
        "action",
        "add",
        str(mistake.pk),
        "Remind billing to check prices",
        "--owner",
        "bo",
        "--due",
        due,
        "--strength",
        "weak",
        user=responder,
    )
    assert added.exit_code == 0, added.output
    assert "Added action" in added.output
    assert "weak" in added.output  # the warning that every action is weak
    action = Action.objects.get()

    done = ownup_cli("action", "done", str(action.pk), "--evidence", "Email sent", user=responder)
    assert done.exit_code == 0, done.output
    assert f"ownup move {mistake.pk} fixed" in done.output

    listed = ownup_cli("action", "list", str(mistake.pk), "--json", user=responder)
    assert json.loads(listed.output)[0]["status"] == "done"


def test_bad_command_lines_say_what_is_wrong_in_one_line(ownup_cli, mistake, responder):
    past = ownup_cli(
        "action",
        "add",
        str(mistake.pk),
        "Load prices",
        "--owner",
        "bo",
        "--due",
        "2020-01-01",
        user=responder,
    )
    assert past.exit_code == 1
    assert "--due: The due date 2020-01-01 is in the past" in past.output
    missing = ownup_cli("action", "done", "999", "--evidence", "x", user=responder)
    assert missing.exit_code == 1
    assert "no action #999" in missing.output


def test_actions_print_square_brackets_as_typed(ownup_cli, mistake, responder):
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    title = "[x] [bold]lock[/] [/]"
    args = ("action", "add", str(mistake.pk), title, "--owner", "bo", "--due", due)
    added = ownup_cli(*args, user=responder)
    assert added.exit_code == 0, added.output
    assert f"to #{mistake.pk}: {title}" in added.output
    listed = ownup_cli("action", "list", str(mistake.pk), user=responder)
    assert listed.exit_code == 0, listed.output
    assert title in listed.output


def test_the_page_adds_an_action_and_shows_errors_at_the_field(mistake, responder):
    client = Client()
    client.force_login(responder)
    page = client.post(
        f"/mistakes/{mistake.pk}/actions/new/",
        {
            "title": "Load prices",
            "kind": "corrective",
            "strength": "strong",
            "owner": "bo",
            "due_date": "2020-01-01",
        },
    )
    assert page.status_code == 200
    assert "is in the past" in page.content.decode()
    assert not Action.objects.exists()

    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    added = client.post(
        f"/mistakes/{mistake.pk}/actions/new/",
        {
            "title": "Load prices from the contract system",
            "kind": "corrective",
            "strength": "strong",
            "owner": "bo",
            "due_date": due,
        },
        follow=True,
    )
    html = added.content.decode()
    assert "Load prices from the contract system" in html
    assert "Strong" in html
    action = Action.objects.get()

    done = client.post(f"/actions/{action.pk}/done/", {"evidence": ""}, follow=True)
    assert "Say what shows it was done" in done.content.decode()
    done = client.post(f"/actions/{action.pk}/done/", {"evidence": "PR 481"}, follow=True)
    assert "Evidence:" in done.content.decode()
    action.refresh_from_db()
    assert action.status == "done"


def test_an_action_added_by_mistake_is_cancelled_from_the_page(mistake, responder):
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    action = fixes.add_action(
        mistake, {"title": "Far future test", "owner": "bo", "due_date": due}, actor=responder
    )
    client = Client()
    client.force_login(responder)
    page = client.get(mistake.get_absolute_url()).content.decode()
    assert f'action="/actions/{action.pk}/cancel/"' in page
    cancelled = client.post(
        f"/actions/{action.pk}/cancel/", {"reason": "Added by mistake"}, follow=True
    )
    assert "Cancelled: Added by mistake" in cancelled.content.decode()
    action.refresh_from_db()
    assert action.status == "cancelled"
    page = client.get(mistake.get_absolute_url()).content.decode()
    assert f'action="/actions/{action.pk}/cancel/"' not in page


def test_the_chosen_option_is_offered_as_the_first_action(api_as, mistake, responder):
    api = api_as(responder)
    option = api.post(
        f"/api/v1/mistakes/{mistake.pk}/options",
        {"title": "The run refuses an old price list", "strength": "strong"},
    ).json()
    api.post(
        f"/api/v1/mistakes/{mistake.pk}/decision", {"option_id": option["id"], "rationale": "x"}
    )
    client = Client()
    client.force_login(responder)
    form = client.get(f"/mistakes/{mistake.pk}/actions/new/").context["form"]
    assert form["title"].value() == "The run refuses an old price list"
    assert form["strength"].value() == "strong"
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    fixes.add_action(
        mistake, {"title": "The run refuses an old price list", "owner": "bo", "due_date": due},
        actor=responder,
    )  # fmt: skip
    form = client.get(f"/mistakes/{mistake.pk}/actions/new/").context["form"]
    assert not form["title"].value()


def test_the_owner_is_chosen_by_the_name_people_know(mistake, responder):
    responder.first_name, responder.last_name = "Bo", "Lindqvist"
    responder.save()
    client = Client()
    client.force_login(responder)
    html = client.get(f"/mistakes/{mistake.pk}/actions/new/").content.decode()
    assert ">Bo Lindqvist (bo)</option>" in html
