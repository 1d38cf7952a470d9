"""The report form, the receipt, the mistake's page, editing and moving it on."""

from datetime import timedelta

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from ownup.organisation.models import Organisation, Severity
from ownup.reporting import services
from ownup.reporting.models import Mistake, Stage, TimelineEntry

INVOICES = "Sent the March invoices with last year's prices"


@pytest.fixture
def logged_in(client, reporter):
    client.force_login(reporter)
    return client


def test_a_mistakes_link_is_its_page_in_the_whole_site(reporter):
    # The link is named among reporting's own URLs, which the site mounts at its root.
    mistake = services.report({"title": INVOICES}, reporter=reporter)
    assert mistake.get_absolute_url() == reverse("reporting:detail", args=[mistake.pk])
    assert resolve(mistake.get_absolute_url()).view_name == "reporting:detail"


def test_pages_need_a_login(client):
    response = client.get("/mistakes/report/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_form_shows_the_reporting_policy(logged_in):
    organisation = Organisation.current()
    organisation.reporting_policy = "We never punish an honest report."
    organisation.save()
    page = logged_in.get("/mistakes/report/").content.decode()
    assert "We never punish an honest report." in page
    assert 'name="title"' in page


def test_one_sentence_reports_and_shows_the_receipt(logged_in, reporter):
    response = logged_in.post("/mistakes/report/", {"title": INVOICES}, follow=True)
    mistake = Mistake.objects.get()
    assert response.redirect_chain[-1][0] == f"/mistakes/{mistake.pk}/receipt/"
    page = response.content.decode()
    assert "Thank you for reporting it." in page
    assert "reported before anyone else found it" in page
    assert mistake.reporter == reporter


def test_the_receipt_shows_minutes_from_noticing_to_reporting(logged_in):
    noticed = timezone.localtime() - timedelta(minutes=90)
    logged_in.post(
        "/mistakes/report/",
        {
            "title": INVOICES,
            "noticed_at": noticed.strftime("%Y-%m-%dT%H:%M"),
            "discovered_by": "customer",
        },
    )
    mistake = Mistake.objects.get()
    page = logged_in.get(f"/mistakes/{mistake.pk}/receipt/").content.decode()
    # In words, not a count of minutes: "1 hour, 30 minutes".
    assert "1\xa0hour, 30\xa0minutes" in page or "1\xa0hour, 29\xa0minutes" in page
    assert "found by a customer" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "Say in one sentence what went wrong."),
        ({"title": "x" * 100_000}, "title", "at most 200 characters"),
        (
            {"title": "ok", "occurred_at": "2026-01-02T10:00", "noticed_at": "2026-01-01T10:00"},
            "noticed_at",
            "cannot have been noticed before it happened",
        ),
        ({"title": "ok", "discovered_by": "robot"}, "discovered_by", "Select a valid choice"),
        ({"title": "ok", "confidentiality": "team"}, "team", "Choose the team that may see it."),
    ],
)
def test_the_form_shows_what_is_wrong_and_keeps_what_was_typed(logged_in, data, field, message):
    response = logged_in.post("/mistakes/report/", {**data, "description": "kept text"})
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert f'id="field-{field}"' in page
    assert "kept text" in page
    assert not Mistake.objects.exists()


def test_the_mistake_page_tells_the_story_and_the_next_step(logged_in, reporter):
    mistake = services.report(
        {"title": INVOICES, "description": "214 customers"}, reporter=reporter
    )
    page = logged_in.get(f"/mistakes/{mistake.pk}/").content.decode()
    assert "Sent the March invoices with last year&#x27;s prices" in page
    assert "214 customers" in page
    assert "Contain it" in page
    assert 'aria-current="step"' in page
    assert "Mark as contained" in page


def test_move_on_from_the_page(logged_in, reporter):
    mistake = services.report({"title": INVOICES}, reporter=reporter)
    logged_in.post(f"/mistakes/{mistake.pk}/stage/", {"stage": "contained"})
    mistake.refresh_from_db()
    assert mistake.stage == Stage.CONTAINED

    response = logged_in.post(f"/mistakes/{mistake.pk}/stage/", {"stage": "closed"}, follow=True)
    assert "Not moved: moving to Closed needs a reason" in response.content.decode()
    mistake.refresh_from_db()
    assert mistake.stage == Stage.CONTAINED


def test_edit_the_record(logged_in, reporter):
    mistake = services.report({"title": INVOICES}, reporter=reporter)
    response = logged_in.post(
        f"/mistakes/{mistake.pk}/edit/",
        {
            "title": INVOICES,
            "severity": "high",
            "discovered_by": "self",
            "confidentiality": "open",
            "tags": "billing, invoices",
        },
    )
    assert response.status_code == 302
    mistake.refresh_from_db()
    assert mistake.severity.name == "high"
    assert sorted(t.name for t in mistake.tags.all()) == ["billing", "invoices"]
    refused = logged_in.post(f"/mistakes/{mistake.pk}/edit/", {"title": ""})
    assert "Say in one sentence" in refused.content.decode()


def test_add_to_the_timeline_from_the_page(logged_in, reporter):
    mistake = services.report({"title": INVOICES}, reporter=reporter)
    logged_in.post(
        f"/mistakes/{mistake.pk}/timeline/",
        {"text": "Stopped the second invoice run", "at": "2026-03-01T09:30"},
    )
    note = mistake.timeline.get(kind=TimelineEntry.Kind.NOTE)
    assert note.text == "Stopped the second invoice run"
    assert timezone.localtime(note.at).strftime("%Y-%m-%d %H:%M") == "2026-03-01 09:30"
    response = logged_in.post(
        f"/mistakes/{mistake.pk}/timeline/", {"text": "x", "at": "not a time"}, follow=True
    )
    assert "Enter a valid date/time" in response.content.decode()


def test_a_refused_timeline_entry_comes_back_with_what_was_typed(logged_in, reporter):
    mistake = services.report({"title": INVOICES}, reporter=reporter)
    for when, problem in (
        ("2999-01-01T09:30", "A timeline entry cannot be in the future."),
        ("0026-03-01T09:30", "Check the year: 26 is before 1970."),
    ):
        typed = {"text": "Stopped the second invoice run", "at": when}
        page = logged_in.post(f"/mistakes/{mistake.pk}/timeline/", typed)
        assert page.status_code == 200
        html = page.content.decode()
        assert problem in html
        assert 'value="Stopped the second invoice run"' in html
        assert f'href="/mistakes/{mistake.pk}/#timeline"' in html
    assert not mistake.timeline.filter(kind=TimelineEntry.Kind.NOTE).exists()
    # Its address visited on its own is the same form, empty.
    assert (
        "Add to the timeline" in logged_in.get(f"/mistakes/{mistake.pk}/timeline/").content.decode()
    )


def test_the_list_filters(logged_in, reporter):
    services.report({"title": "Wrong invoice", "severity": "high"}, reporter=reporter)
    services.report({"title": "Deleted folder"}, reporter=reporter)
    page = logged_in.get("/mistakes/?severity=high").content.decode()
    assert "Wrong invoice" in page
    assert "Deleted folder" not in page
    page = logged_in.get("/mistakes/?q=folder").content.decode()
    assert "Deleted folder" in page
    assert "Wrong invoice" not in page
    assert logged_in.get("/mistakes/?page=999&stage=bogus").status_code == 200


def test_people_who_may_only_read_cannot_change_it_from_the_pages(
    client, reporter, make_user, billing
):
    mistake = services.report({"title": INVOICES, "team": "billing"}, reporter=reporter)
    client.force_login(make_user("di", team=billing))  # a reporter of the team, not its responder
    moved = client.post(f"/mistakes/{mistake.pk}/stage/", {"stage": "contained"}, follow=True)
    assert "Not moved: only the mistake" in moved.content.decode()
    noted = client.post(f"/mistakes/{mistake.pk}/timeline/", {"text": "x"}, follow=True)
    assert "Not added: only the mistake" in noted.content.decode()
    edited = client.get(f"/mistakes/{mistake.pk}/edit/", follow=True)
    assert "Not allowed: only the mistake" in edited.content.decode()
    mistake.refresh_from_db()
    assert mistake.stage == Stage.REPORTED
    assert mistake.timeline.count() == 1


def test_an_organisation_without_a_scale_gets_the_default_one_on_the_report_form(logged_in):
    Severity.objects.all().delete()
    page = logged_in.get(reverse("reporting:report")).content.decode()
    assert [s.name for s in Severity.objects.scale()] == ["critical", "high", "medium", "low"]
    assert '<option value="low" selected>' in page


def test_the_page_of_a_mistake_moved_on_says_what_was_not_recorded(client, reporter, responder):
    from ownup.reporting import stages

    mistake = services.report({"title": "Sent the March invoices"}, reporter=reporter)
    client.force_login(responder)
    fresh = client.get(mistake.get_absolute_url()).content.decode()
    assert "No contributing factor yet" in fresh
    assert "No options yet" in fresh
    assert "No actions yet" in fresh
    assert "Nothing sent yet" in fresh

    stages.move(mistake, Stage.FIXED, actor=responder, reason="fixed in the same hour")

    moved_on = client.get(mistake.get_absolute_url()).content.decode()
    for recorded in (
        "No containment action was recorded.",
        "No contributing factor was recorded.",
        "No five-whys chain was recorded.",
        "No option was recorded.",
        "No action was recorded.",
    ):
        assert recorded in moved_on
    for prompt in ("No contributing factor yet", "No options yet", "No actions yet"):
        assert prompt not in moved_on
    assert "No effectiveness check yet" in moved_on  # still to agree before it is monitored

    stages.move(mistake, Stage.CLOSED, actor=responder, reason="a one-off")

    closed = client.get(mistake.get_absolute_url()).content.decode()
    assert "No message was recorded." in closed
    assert "Nothing sent yet" not in closed
    assert "No effectiveness check was recorded." in closed
    assert "No effectiveness check yet" not in closed


def test_a_closed_mistake_reads_as_its_story_and_gives_its_forms_back_on_asking(
    client, reporter, responder, outsider
):
    from ownup.reporting import stages

    mistake = services.report({"title": "Sent the March invoices"}, reporter=reporter)
    stages.move(mistake, Stage.CLOSED, actor=responder, reason="a one-off")
    page = mistake.get_absolute_url()
    client.force_login(reporter)

    story = client.get(page).content.decode()
    assert "Add to the record" in story
    assert 'name="text"' not in story  # the timeline's note
    assert reverse("containment:add", args=[mistake.pk]) not in story
    assert reverse("reporting:edit", args=[mistake.pk]) not in story
    assert "Skip ahead or reopen" in story  # reopening stays one step away

    adding = client.get(page + "?add").content.decode()
    assert "Add to the record" not in adding
    assert 'name="text"' in adding
    assert reverse("containment:add", args=[mistake.pk]) in adding
    added = client.post(reverse("containment:care", args=[mistake.pk]), {"text": "Called them"})
    assert added["Location"].startswith(page + "?add#")  # back to the forms, as they were

    client.force_login(outsider)  # sees the mistake, may not change it
    assert "Add to the record" not in client.get(page).content.decode()
    assert 'name="text"' not in client.get(page + "?add").content.decode()


def test_the_list_narrows_to_the_mistakes_i_own_on_the_page_the_api_and_the_cli(
    client, api_as, reporter, responder, ownup_cli
):
    import json

    mine = services.report({"title": "Sent the March invoices twice"}, reporter=reporter)
    services.update(mine, {"owner": responder.username}, actor=reporter)
    services.report({"title": "Refunded the wrong account"}, reporter=reporter)
    client.force_login(responder)

    page = client.get("/mistakes/?owner=me").content.decode()
    assert "Sent the March invoices twice" in page
    assert "Refunded the wrong account" not in page
    assert '<option value="me" selected>' in page
    assert "1 that match, of the 2 you can see" in page
    assert "Refunded the wrong account" in client.get("/mistakes/").content.decode()

    listed = api_as(responder).get("/api/v1/mistakes?mine=true").json()
    assert [m["title"] for m in listed["items"]] == ["Sent the March invoices twice"]
    shown = json.loads(ownup_cli("--user", "bo", "list", "--mine", "--json").output)
    assert [m["title"] for m in shown] == ["Sent the March invoices twice"]
