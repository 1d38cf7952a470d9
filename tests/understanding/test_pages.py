"""The web pages: the catalogue, entity pages, and the Understanding section of a mistake."""

import pytest
from django.test import Client

from ownup.understanding import services
from ownup.understanding.models import Entity, Relation, TouchPoint


@pytest.fixture
def browser_as():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def test_the_catalogue_is_in_the_main_menu(browser_as, reporter, catalogue):
    page = browser_as(reporter).get("/catalog/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<a href="/catalog/" aria-current="page">Catalogue</a>' in html
    assert "Acme Ltd" in html
    filtered = browser_as(reporter).get("/catalog/", {"kind": "customer"}).content.decode()
    assert "Globex" in filtered
    assert "Invoicing system" not in filtered


def test_an_entity_page_shows_its_relations_both_ways(browser_as, reporter, catalogue):
    html = browser_as(reporter).get("/catalog/entities/invoicing/").content.decode()
    assert "serves" in html
    assert "Acme Ltd" in html
    assert "Monthly invoice run" not in html  # the invoice run does not relate to invoicing
    assert "PayFlow" in html  # PayFlow depends on invoicing: shown on invoicing's page
    assert browser_as(reporter).get("/catalog/entities/nope/").status_code == 404


def test_an_entity_is_added_and_related_through_the_pages(browser_as, responder, catalogue):
    client = browser_as(responder)
    created = client.post(
        "/catalog/new/", {"name": "Credit notes", "kind": "process", "owners": "bo"}
    )
    assert created.status_code == 302
    entity = Entity.objects.get(key="credit-notes")
    assert [u.username for u in entity.owners.all()] == ["bo"]
    related = client.post(
        "/catalog/entities/credit-notes/relations/",
        {"type": "depends on", "target": "Invoicing system"},
    )
    assert related.status_code == 302
    assert Relation.objects.filter(source=entity, target__key="invoicing").exists()
    self_loop = client.post(
        "/catalog/entities/credit-notes/relations/", {"type": "serves", "target": "credit-notes"}
    )
    assert self_loop.status_code == 422
    assert "cannot be related to itself" in self_loop.content.decode()
    bad = client.post("/catalog/new/", {"name": "X", "kind": "spaceship"})
    assert bad.status_code == 200
    assert "Choose a known kind" in bad.content.decode()


def test_suggestions_for_the_entity_pickers(browser_as, reporter, catalogue):
    html = browser_as(reporter).get("/catalog/suggest/", {"entity": "acm"}).content.decode()
    assert '<option value="acme">Acme Ltd · customer</option>' in html
    targets = browser_as(reporter).get("/catalog/suggest/", {"target": "glob"}).content.decode()
    assert '<option value="globex">' in targets


def test_the_section_draws_the_picture(browser_as, reporter, catalogue, mistake):
    services.add_touch_point(mistake, "price-list", "Out of date", actor=reporter)
    html = browser_as(reporter).get(mistake.get_absolute_url()).content.decode()
    assert "Understanding: the whole picture" in html
    assert "<svg" in html
    assert 'class="node node-touch"' in html
    assert 'class="node node-open"' in html
    assert "Price list 2026 → Invoicing system (system)" in html
    deeper = browser_as(reporter).get(mistake.get_absolute_url(), {"depth": "1"}).content.decode()
    assert "Acme Ltd (customer)" not in deeper
    assert (
        browser_as(reporter).get(mistake.get_absolute_url(), {"depth": "10000"}).status_code == 200
    )


def test_a_refused_touch_point_shows_the_error_at_the_field(
    browser_as, reporter, catalogue, mistake
):
    client = browser_as(reporter)
    response = client.post(
        f"/mistakes/{mistake.pk}/touch-points/", {"entity": "nowhere", "impact": "x"}, follow=True
    )
    html = response.content.decode()
    assert 'id="touch-entity-error"' in html
    assert "no entity &#x27;nowhere&#x27; in the catalogue" in html
    assert 'value="nowhere"' in html
    assert not TouchPoint.objects.exists()


def test_accepting_and_dismissing_through_the_page(browser_as, reporter, catalogue, mistake):
    services.add_touch_point(mistake, "price-list", "Out of date", actor=reporter)
    client = browser_as(reporter)
    client.post(
        f"/mistakes/{mistake.pk}/implications/", {"ref": "invoicing", "decision": "accepted"}
    )
    client.post(
        f"/mistakes/{mistake.pk}/implications/", {"ref": "billing-run", "decision": "dismissed"}
    )
    assert TouchPoint.objects.filter(entity__key="invoicing").exists()
    html = client.get(mistake.get_absolute_url()).content.decode()
    assert "Dismissed (1)" in html


def test_factors_whys_and_problem_through_the_page(browser_as, reporter, mistake):
    client = browser_as(reporter)
    client.post(f"/mistakes/{mistake.pk}/factors/", {"category": "tools", "text": "No check"})
    client.post(f"/mistakes/{mistake.pk}/whys/", {"answer": "Wrong list"})
    client.post(
        f"/mistakes/{mistake.pk}/problem/", {"what": "Wrong prices", "escape_point": "review"}
    )
    html = client.get(mistake.get_absolute_url()).content.decode()
    assert "No check" in html
    assert "Wrong list" in html
    assert "escape point: review" in html


def test_the_just_culture_box_is_private(browser_as, reporter, responder, manager, mistake):
    browser_as(manager).post(
        f"/mistakes/{mistake.pk}/just-culture/", {"classification": "reckless", "note": "Ignored"}
    )
    assert (
        "Reckless behaviour" in browser_as(manager).get(mistake.get_absolute_url()).content.decode()
    )
    assert (
        "Reckless behaviour"
        in browser_as(reporter).get(mistake.get_absolute_url()).content.decode()
    )
    other = browser_as(responder).get(mistake.get_absolute_url()).content.decode()
    assert "Just-culture" not in other
    assert "Reckless" not in other
    # The reporter sees it but may not classify.
    browser_as(reporter).post(
        f"/mistakes/{mistake.pk}/just-culture/", {"classification": "human_error"}
    )
    assert mistake.just_culture.classification == "reckless"


def test_the_export_downloads(browser_as, reporter, catalogue):
    response = browser_as(reporter).get("/catalog/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="catalogue.csv"'
    assert browser_as(reporter).get("/catalog/export.xml").status_code == 404


def test_the_demo_tells_the_understood_stories(db):
    from ownup.demo import load_demo
    from ownup.reporting.models import Mistake

    load_demo()
    deploy = Mistake.objects.get(title__startswith="A deploy on Friday")
    assert deploy.stage == "understood"
    assert deploy.touch_points.count() >= 3
    assert deploy.contributing_factors.count() >= 3
    assert deploy.whys.count() == 5
    # Moving to Understood needed no skip reason: the story met the stage's needs.
    move = deploy.timeline.get(kind="stage", changes__stage=["contained", "understood"])
    assert move.changes["unmet"] == []
    found = services.implications(deploy)
    assert found.open
    assert Entity.objects.filter(kind__name="regulator").exists()
