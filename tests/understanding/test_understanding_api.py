"""Understanding a mistake through the API: touch points, implications, causes, factors, whys,
the stage rule, visibility and the private just-culture record."""

import pytest

from ownup.reporting import services as reporting
from ownup.reporting.models import TimelineEntry
from ownup.understanding import services
from ownup.understanding.models import JustCulture, ProposalDecision, TouchPoint


def test_a_touch_point_is_added_with_its_impact(api_as, reporter, catalogue, mistake):
    api = api_as(reporter)
    response = api.post(
        f"/api/v1/mistakes/{mistake.pk}/touch-points",
        {"entity": "invoicing", "impact": "Used the 2025 price list"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["owners"] == ["bo"]
    listed = api.get(f"/api/v1/mistakes/{mistake.pk}/touch-points").json()
    assert [(t["entity"], t["impact"]) for t in listed] == [
        ("invoicing", "Used the 2025 price list")
    ]
    assert mistake.timeline.filter(text__startswith="Touch point: Invoicing system").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"entity": "nowhere", "impact": "x"}, "entity"),
        ({"entity": "invoicing", "impact": "   "}, "impact"),
        ({"entity": "", "impact": "x"}, "entity"),
    ],
)
def test_bad_touch_points_are_refused(api_as, reporter, catalogue, mistake, payload, field):
    response = api_as(reporter).post(f"/api/v1/mistakes/{mistake.pk}/touch-points", payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not TouchPoint.objects.exists()


def test_a_duplicate_touch_point_is_refused(api_as, reporter, catalogue, mistake):
    api = api_as(reporter)
    body = {"entity": "invoicing", "impact": "Wrong prices"}
    assert api.post(f"/api/v1/mistakes/{mistake.pk}/touch-points", body).status_code == 201
    again = api.post(f"/api/v1/mistakes/{mistake.pk}/touch-points", body)
    assert again.status_code == 422
    assert "already" in again.json()["detail"]
    assert TouchPoint.objects.count() == 1


def test_implications_come_with_the_path_and_the_owners_to_involve(
    api_as, reporter, catalogue, mistake
):
    services.add_touch_point(mistake, "price-list", "Out of date", actor=reporter)
    found = api_as(reporter).get(f"/api/v1/mistakes/{mistake.pk}/implications").json()
    by_ref = {p["ref"]: p for p in found["proposals"]}
    assert by_ref["invoicing"]["distance"] == 1
    assert (
        by_ref["acme"]["path"]
        == "Price list 2026 → Invoicing system (system) → Acme Ltd (customer)"
    )
    # invoicing serves acme, and acme depends on invoicing: either way, impact reaches acme.
    assert [s["relation"] for s in by_ref["acme"]["steps"]][:2] == [None, "uses"]
    assert by_ref["invoicing"]["steps"][1]["direction"] == "backward"
    # Bo owns the invoice run and invoicing; Ada owns the price list itself.
    assert by_ref["@bo"]["type"] == "person"
    assert by_ref["@bo"]["distance"] == 2
    assert by_ref["@ada"]["distance"] == 1
    assert "price-list" not in by_ref  # a touch point is not proposed


def test_depth_changes_how_far_the_walk_goes(api_as, reporter, catalogue, mistake):
    services.add_touch_point(mistake, "price-list", "Out of date", actor=reporter)
    api = api_as(reporter)
    near = api.get(f"/api/v1/mistakes/{mistake.pk}/implications", {"depth": 1}).json()
    assert {p["ref"] for p in near["proposals"] if p["type"] == "entity"} == {
        "invoicing",
        "billing-run",
    }


@pytest.mark.parametrize("depth", ["0", "7", "10000", "many"])
def test_a_bad_depth_is_a_422(api_as, reporter, catalogue, mistake, depth):
    response = api_as(reporter).get(f"/api/v1/mistakes/{mistake.pk}/implications", {"depth": depth})
    assert response.status_code == 422, response.content
    assert "depth" in response.json()["errors"]


def test_accepting_an_entity_makes_it_a_touch_point(api_as, reporter, catalogue, mistake):
    services.add_touch_point(mistake, "price-list", "Out of date", actor=reporter)
    api = api_as(reporter)
    response = api.post(
        f"/api/v1/mistakes/{mistake.pk}/implications",
        {"ref": "invoicing", "decision": "accepted"},
    )
    assert response.status_code == 200, response.content
    point = TouchPoint.objects.get(entity__key="invoicing")
    assert point.via == "Price list 2026 → Invoicing system (system)"
    assert "Affected through" in point.impact
    after = api.get(f"/api/v1/mistakes/{mistake.pk}/implications").json()
    refs = {p["ref"]: p for p in after["proposals"]}
    assert "invoicing" not in refs  # it is a touch point now: a start of the walk
    assert refs["acme"]["distance"] == 1


def test_a_dismissal_is_remembered_and_stops_the_walk_there(api_as, reporter, catalogue, mistake):
    services.add_touch_point(mistake, "price-list", "Out of date", actor=reporter)
    api = api_as(reporter)
    dismissed = api.post(
        f"/api/v1/mistakes/{mistake.pk}/implications",
        {"ref": "billing-run", "decision": "dismissed"},
    )
    assert dismissed.status_code == 200
    after = {
        p["ref"]: p
        for p in api.get(f"/api/v1/mistakes/{mistake.pk}/implications").json()["proposals"]
    }
    assert after["billing-run"]["decision"] == "dismissed"
    assert "team-billing" not in after
    assert ProposalDecision.objects.get().decision == "dismissed"
    # and it can be accepted after all
    services.decide(mistake, "billing-run", "accepted", actor=reporter)
    assert TouchPoint.objects.filter(entity__key="billing-run").exists()


def test_accepting_a_person_adds_them_to_the_people_to_involve(
    api_as, reporter, responder, catalogue, mistake
):
    services.add_touch_point(mistake, "price-list", "Out of date", actor=reporter)
    api = api_as(reporter)
    assert (
        api.post(
            f"/api/v1/mistakes/{mistake.pk}/implications", {"ref": "@bo", "decision": "accepted"}
        ).status_code
        == 200
    )
    record = api.get(f"/api/v1/mistakes/{mistake.pk}/understanding").json()
    assert record["people_to_involve"] == ["ada", "bo"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ref": "nothing", "decision": "accepted"}, "ref"),
        ({"ref": "invoicing", "decision": "maybe"}, "decision"),
    ],
)
def test_deciding_what_is_not_proposed_is_refused(
    api_as, reporter, catalogue, mistake, payload, field
):
    services.add_touch_point(mistake, "price-list", "Out of date", actor=reporter)
    response = api_as(reporter).post(f"/api/v1/mistakes/{mistake.pk}/implications", payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_problem_statement_and_both_causes(api_as, reporter, mistake):
    api = api_as(reporter)
    response = api.patch(
        f"/api/v1/mistakes/{mistake.pk}/problem",
        {
            "what": "Wrong prices on 214 invoices",
            "is_not": "Not the contracts: they were right",
            "why_it_happened": "The run used last year's price list",
            "why_not_caught": "Nobody compares totals with last month",
            "escape_point": "invoice review",
        },
    )
    assert response.status_code == 200, response.content
    again = api.patch(f"/api/v1/mistakes/{mistake.pk}/problem", {"how_much": "3-8% too low"})
    assert again.json()["what"] == "Wrong prices on 214 invoices"
    assert again.json()["how_much"] == "3-8% too low"
    too_long = api.patch(f"/api/v1/mistakes/{mistake.pk}/problem", {"escape_point": "x" * 500})
    assert too_long.status_code == 422
    assert "escape_point" in too_long.json()["errors"]


def test_other_places_it_could_happen(api_as, reporter, catalogue, mistake):
    api = api_as(reporter)
    response = api.post(
        f"/api/v1/mistakes/{mistake.pk}/other-places",
        {"place": "The credit-note run uses the same price lookup", "entity": "billing-run"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["entity"] == "billing-run"
    bad = api.post(f"/api/v1/mistakes/{mistake.pk}/other-places", {"place": "x", "entity": "zz"})
    assert bad.status_code == 422
    assert (
        api.delete(
            f"/api/v1/mistakes/{mistake.pk}/other-places/{response.json()['id']}"
        ).status_code
        == 204
    )


def test_factors_by_category(api_as, reporter, mistake):
    api = api_as(reporter)
    added = api.post(
        f"/api/v1/mistakes/{mistake.pk}/factors",
        {"category": "process", "text": "No check of the price-list version"},
    )
    assert added.status_code == 201, added.content
    assert (
        api.post(
            f"/api/v1/mistakes/{mistake.pk}/factors", {"category": "luck", "text": "x"}
        ).status_code
        == 422
    )
    assert (
        api.post(
            f"/api/v1/mistakes/{mistake.pk}/factors", {"category": "tools", "text": " "}
        ).status_code
        == 422
    )
    categories = [c["name"] for c in api.get("/api/v1/catalog/factor-categories").json()]
    assert categories == ["people", "process", "tools", "environment", "communication", "external"]
    factor_id = added.json()["id"]
    assert api.delete(f"/api/v1/mistakes/{mistake.pk}/factors/{factor_id}").status_code == 204
    assert api.delete(f"/api/v1/mistakes/{mistake.pk}/factors/{factor_id}").status_code == 404


def test_the_five_whys_stay_in_order(api_as, reporter, mistake):
    api = api_as(reporter)
    for answer in [
        "Wrong price list",
        "The run picks the newest file",
        "Files are renamed by hand",
    ]:
        assert (
            api.post(f"/api/v1/mistakes/{mistake.pk}/whys", {"answer": answer}).status_code == 201
        )
    assert api.delete(f"/api/v1/mistakes/{mistake.pk}/whys/2").status_code == 204
    chain = api.get(f"/api/v1/mistakes/{mistake.pk}/whys").json()
    assert chain == [
        {"position": 1, "answer": "Wrong price list"},
        {"position": 2, "answer": "Files are renamed by hand"},
    ]
    changed = api.patch(f"/api/v1/mistakes/{mistake.pk}/whys/1", {"answer": "Last year's list"})
    assert changed.json() == {"position": 1, "answer": "Last year's list"}
    assert api.post(f"/api/v1/mistakes/{mistake.pk}/whys", {"answer": ""}).status_code == 422
    assert api.delete(f"/api/v1/mistakes/{mistake.pk}/whys/9").status_code == 404


def test_understood_needs_a_touch_point_and_a_factor_or_a_reason(
    api_as, reporter, catalogue, mistake
):
    api = api_as(reporter)
    api.post(
        f"/api/v1/mistakes/{mistake.pk}/stage",
        {"stage": "contained", "reason": "the run was stopped by hand"},
    )
    refused = api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "understood"})
    assert refused.status_code == 409
    assert "no touch point" in refused.json()["detail"]
    assert "no contributing factor" in refused.json()["detail"]
    services.add_touch_point(mistake, "invoicing", "Wrong prices", actor=reporter)
    services.add_factor(mistake, "process", "No version check", actor=reporter)
    moved = api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "understood"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage"] == "understood"


def test_a_skip_with_a_reason_is_allowed(api_as, reporter, mistake):
    api = api_as(reporter)
    api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "contained"})
    moved = api.post(
        f"/api/v1/mistakes/{mistake.pk}/stage",
        {"stage": "understood", "reason": "a typo in one document, nothing else touched"},
    )
    assert moved.status_code == 200


def test_people_outside_cannot_see_or_change_it(
    api_as, reporter, outsider, catalogue, make_user, billing
):
    secret = reporting.report(
        {"title": "Salary file shared", "confidentiality": "restricted"}, reporter=reporter
    )
    services.add_touch_point(secret, "invoicing", "x", actor=reporter)
    api = api_as(outsider)
    for path in ["touch-points", "implications", "understanding", "factors", "whys"]:
        assert api.get(f"/api/v1/mistakes/{secret.pk}/{path}").status_code == 404
    denied = api.post(
        f"/api/v1/mistakes/{secret.pk}/touch-points", {"entity": "acme", "impact": "x"}
    )
    assert denied.status_code == 404
    # An open mistake of another team: readable, not changeable.
    assert api.get(f"/api/v1/mistakes/{secret.pk - 0}/whys").status_code == 404


def test_only_the_mistakes_people_change_its_analysis(api_as, outsider, catalogue, mistake):
    api = api_as(outsider)
    assert api.get(f"/api/v1/mistakes/{mistake.pk}/touch-points").status_code == 200
    refused = api.post(
        f"/api/v1/mistakes/{mistake.pk}/touch-points", {"entity": "acme", "impact": "x"}
    )
    assert refused.status_code == 403
    assert api.post(f"/api/v1/mistakes/{mistake.pk}/whys", {"answer": "x"}).status_code == 403


def test_just_culture_is_for_managers_and_the_reporter_only(
    api_as, reporter, responder, manager, mistake
):
    path = f"/api/v1/mistakes/{mistake.pk}/just-culture"
    classified = api_as(manager).request(
        "PUT", path, {"classification": "at_risk", "note": "Skipped the check to make the cut-off"}
    )
    assert classified.status_code == 200, classified.content
    assert classified.json()["guidance"].startswith("Coach")
    mine = api_as(reporter).get(path)
    assert mine.status_code == 200
    assert mine.json()["classification"] == "at_risk"
    assert api_as(reporter).request("PUT", path, {"classification": "reckless"}).status_code == 403
    assert api_as(responder).get(path).status_code == 403
    assert api_as(manager).request("PUT", path, {"classification": "careless"}).status_code == 422
    # It appears nowhere else: not in the record others read, not on the timeline.
    record = api_as(responder).get(f"/api/v1/mistakes/{mistake.pk}/understanding").content
    assert b"at_risk" not in record
    assert b"Skipped the check" not in record
    timeline = api_as(manager).get(f"/api/v1/mistakes/{mistake.pk}/timeline").content
    assert b"at_risk" not in timeline
    assert b"Skipped the check" not in timeline
    assert not TimelineEntry.objects.filter(text__icontains="risk").exists()
    assert api_as(manager).delete(path).status_code == 204
    assert not JustCulture.objects.exists()


def test_the_openapi_document_describes_the_routes(api_as, reporter):
    schema = api_as(reporter).get("/api/v1/openapi.json").json()
    for path in [
        "/api/v1/catalog/entities",
        "/api/v1/catalog/entities/{key}",
        "/api/v1/mistakes/{mistake_id}/touch-points",
        "/api/v1/mistakes/{mistake_id}/implications",
        "/api/v1/mistakes/{mistake_id}/factors",
        "/api/v1/mistakes/{mistake_id}/whys",
        "/api/v1/mistakes/{mistake_id}/just-culture",
    ]:
        assert path in schema["paths"], path


def test_an_admin_adds_a_factor_category_in_the_admin_site(
    client, admin_user, api_as, reporter, mistake
):
    client.force_login(admin_user)
    index = client.get("/admin/").content.decode()
    assert "ownup administration" in index
    assert "Factor categories" in index
    added = client.post(
        "/admin/understanding/factorcategory/add/",
        {"name": " Training ", "description": "What people were taught", "position": 7},
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    factor = api_as(reporter).post(
        f"/api/v1/mistakes/{mistake.pk}/factors", {"category": "Training", "text": "Never shown"}
    )
    assert factor.status_code == 201, factor.content
    assert factor.json()["category"] == "training"


def test_an_entity_in_use_stays_without_telling_of_mistakes_one_may_not_see(
    api_as, reporter, responder, catalogue
):
    secret = reporting.report(
        {"title": "Salary sheet shared", "confidentiality": "restricted",
         "restricted_to": [reporter.username]},
        reporter=reporter,
    )  # fmt: skip
    services.add_touch_point(secret, "invoicing", impact="Exposed", actor=reporter)
    refused = api_as(responder).delete("/api/v1/catalog/entities/invoicing")
    assert refused.status_code == 422
    message = refused.json()["errors"]["entity"][0]
    assert message == "Invoicing system is a touch point of mistakes on record; it stays."
