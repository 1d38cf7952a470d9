"""Team and restricted mistakes are invisible to everyone outside them, everywhere."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from typer.testing import CliRunner

from ownup.cli import get_app
from ownup.reporting import services
from ownup.reporting.models import Mistake

SECRET = "Salary spreadsheet shared with the whole company"


@pytest.fixture
def restricted(reporter, responder):
    return services.report(
        {
            "title": SECRET,
            "confidentiality": "restricted",
            "restricted_to": ["bo"],
            "team": "billing",
        },
        reporter=reporter,
    )


@pytest.fixture
def team_only(reporter, billing):
    return services.report(
        {"title": "Billing-only mistake", "confidentiality": "team", "team": "billing"},
        reporter=reporter,
    )


@pytest.fixture
def open_one(reporter):
    return services.report({"title": "An open mistake"}, reporter=reporter)


def visible_titles(user):
    return set(Mistake.objects.visible_to(user).values_list("title", flat=True))


def test_who_sees_what(
    restricted, team_only, open_one, reporter, responder, manager, outsider, admin_user
):
    everything = {SECRET, "Billing-only mistake", "An open mistake"}
    assert visible_titles(reporter) == everything  # the reporter of all three
    assert visible_titles(responder) == everything  # named, and a member of billing
    assert visible_titles(manager) == {"Billing-only mistake", "An open mistake"}  # not named
    assert visible_titles(outsider) == {"An open mistake"}
    assert visible_titles(admin_user) == {"An open mistake"}  # admins are outsiders too


def test_a_later_owner_is_one_who_may_see_it(restricted, team_only, outsider, reporter):
    # Owning is no way in: an outsider made the owner would see it without being let in.
    for mistake in (restricted, team_only):
        with pytest.raises(services.InvalidInput) as refused:
            services.update(mistake, {"owner": "eli"}, actor=reporter)
        assert refused.value.errors == {"owner": ["eli cannot see this mistake, so cannot own it."]}
        mistake.refresh_from_db()
        assert mistake.owner is None
    assert visible_titles(outsider) == set()
    with pytest.raises(services.InvalidInput, match="eli cannot see this mistake"):
        services.report(
            {"title": "Hidden", "confidentiality": "team", "team": "billing", "owner": "eli"},
            reporter=reporter,
        )

    services.update(restricted, {"owner": "eli", "restricted_to": ["bo", "eli"]}, actor=reporter)
    assert SECRET in visible_titles(outsider)


def test_a_restricted_mistake_is_seen_by_someone(api_as, admin_user, responder):
    nobody = services.report({"title": SECRET, "team": "billing"}, reporter=AnonymousUser())
    url = f"/api/v1/mistakes/{nobody.pk}"
    api = api_as(admin_user)

    refused = api.patch(url, {"confidentiality": "restricted", "restricted_to": []})

    assert refused.status_code == 422
    assert "Name at least one person who may see it" in refused.json()["errors"]["restricted_to"][0]
    assert Mistake.objects.get(pk=nobody.pk).confidentiality == "open"
    with pytest.raises(services.InvalidInput, match="Name at least one person"):
        services.report(
            {"title": SECRET, "confidentiality": "restricted"}, reporter=AnonymousUser()
        )
    named = api.patch(url, {"confidentiality": "restricted", "restricted_to": ["bo"]})
    assert named.status_code == 200, named.content
    assert SECRET in visible_titles(responder)
    assert api.get(url).status_code == 404  # admins are outsiders too


def test_the_web_pages_hide_them(client, restricted, team_only, open_one, outsider):
    client.force_login(outsider)
    listing = client.get("/mistakes/").content.decode()
    assert "An open mistake" in listing
    assert SECRET not in listing
    assert "Billing-only" not in listing
    assert client.get("/mistakes/?q=Salary").content.decode().count(SECRET) == 0
    for path in ("/", "receipt/", "edit/"):
        url = f"/mistakes/{restricted.pk}/{path.strip('/')}/".replace("//", "/")
        assert client.get(url).status_code == 404
    assert (
        client.post(f"/mistakes/{restricted.pk}/stage/", {"stage": "contained"}).status_code == 404
    )


def test_the_api_hides_them(api_as, restricted, team_only, open_one, outsider):
    api = api_as(outsider)
    listing = api.get("/api/v1/mistakes").json()
    assert [m["title"] for m in listing["items"]] == ["An open mistake"]
    assert listing["count"] == 1
    for path in ("", "/timeline"):
        response = api.get(f"/api/v1/mistakes/{restricted.pk}{path}")
        assert response.status_code == 404
        assert "Salary" not in response.content.decode()
    assert (
        api.post(f"/api/v1/mistakes/{restricted.pk}/stage", {"stage": "contained"}).status_code
        == 404
    )
    assert api.patch(f"/api/v1/mistakes/{team_only.pk}", {"title": "x"}).status_code == 404


def test_the_cli_hides_them(restricted, team_only, open_one, outsider):
    runner = CliRunner()
    listed = runner.invoke(get_app(), ["--user", "eli", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [m["title"] for m in json.loads(listed.output)] == ["An open mistake"]
    shown = runner.invoke(get_app(), ["--user", "eli", "show", str(restricted.pk)])
    assert shown.exit_code == 1
    assert "Salary" not in shown.output


def test_the_admin_site_hides_them(client, restricted, open_one, admin_user):
    client.force_login(admin_user)
    listing = client.get("/admin/reporting/mistake/").content.decode()
    assert "An open mistake" in listing
    assert SECRET not in listing
    assert client.get(f"/admin/reporting/mistake/{restricted.pk}/change/").status_code == 302


def test_a_change_in_the_admin_site_is_audited(client, open_one, admin_user):
    client.force_login(admin_user)
    url = f"/admin/reporting/mistake/{open_one.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "title": "An open mistake, renamed",
            "severity": form.initial["severity"],
            "timeline-TOTAL_FORMS": "1",
            "timeline-INITIAL_FORMS": "1",
            "timeline-0-id": open_one.timeline.get().pk,
            "timeline-0-mistake": open_one.pk,
            "tags": [],
            "restricted_to": [],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = open_one.timeline.get(text__startswith="Changed in the admin site")
    assert entry.actor == admin_user
    assert entry.changes["title"] == ["An open mistake", "An open mistake, renamed"]
