"""The catalogue through the API: entities of any kind, owners, typed relations, bad input."""

import pytest

from ownup.understanding.models import Entity, Relation


def test_an_entity_is_added_with_its_owners_and_found_again(api_as, responder, manager):
    api = api_as(responder)
    created = api.post(
        "/api/v1/catalog/entities",
        {"name": "Invoicing system", "kind": "system", "owners": ["bo", "ada"]},
    )
    assert created.status_code == 201, created.content
    assert created.json()["key"] == "invoicing-system"
    assert created.json()["owners"] == ["ada", "bo"]
    found = api.get("/api/v1/catalog/entities", {"q": "invoic"}).json()
    assert [e["key"] for e in found["items"]] == ["invoicing-system"]


def test_a_kind_the_organisation_adds_can_be_used(api_as, responder):
    api = api_as(responder)
    assert api.post("/api/v1/catalog/kinds", {"name": "Regulator"}).status_code == 201
    created = api.post("/api/v1/catalog/entities", {"name": "Data authority", "kind": "regulator"})
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "regulator"


def test_relation_types_are_data_with_the_way_impact_flows(api_as, responder):
    api = api_as(responder)
    created = api.post(
        "/api/v1/catalog/relation-types", {"name": "reports to", "flows": "backward"}
    )
    assert created.status_code == 201, created.content
    names = {t["name"]: t["flows"] for t in api.get("/api/v1/catalog/relation-types").json()}
    assert names["reports to"] == "backward"
    assert names["depends on"] == "backward"
    assert names["serves"] == "forward"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "kind": "spaceship"}, "kind"),
        ({"name": "", "kind": "system"}, "name"),
        ({"name": "X", "kind": "system", "owners": ["nobody"]}, "owners"),
        ({"name": "X", "kind": "system", "key": "not a key!"}, "key"),
        ({"name": "!!!", "kind": "system"}, "key"),
    ],
)
def test_bad_entities_name_the_field(api_as, responder, payload, field):
    response = api_as(responder).post("/api/v1/catalog/entities", payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Entity.objects.exists()


def test_a_key_is_unique(api_as, responder, catalogue):
    response = api_as(responder).post(
        "/api/v1/catalog/entities", {"name": "Another", "kind": "system", "key": "invoicing"}
    )
    assert response.status_code == 422
    assert "taken" in response.json()["errors"]["key"][0]


def test_relations_link_entities_and_show_on_both_ends(api_as, responder, catalogue):
    api = api_as(responder)
    created = api.post(
        "/api/v1/catalog/relations", {"from": "globex", "type": "depends on", "to": "payflow"}
    )
    assert created.status_code == 201, created.content
    payflow = api.get("/api/v1/catalog/entities/payflow").json()
    assert {
        "id": created.json()["id"],
        "from": "globex",
        "type": "depends on",
        "to": "payflow",
    } in (payflow["relations"])
    assert api.delete(f"/api/v1/catalog/relations/{created.json()['id']}").status_code == 204
    assert not Relation.objects.filter(pk=created.json()["id"]).exists()


@pytest.mark.parametrize(
    ("payload", "status", "says"),
    [
        ({"from": "acme", "type": "serves", "to": "acme"}, 422, "itself"),
        ({"from": "invoicing", "type": "serves", "to": "acme"}, 422, "already"),
        ({"from": "acme", "type": "loves", "to": "globex"}, 422, "Unknown relation type"),
        ({"from": "acme", "type": "serves", "to": "nowhere"}, 404, "nowhere"),
    ],
)
def test_bad_relations_are_refused_and_nothing_is_written(
    api_as, responder, catalogue, payload, status, says
):
    before = Relation.objects.count()
    response = api_as(responder).post("/api/v1/catalog/relations", payload)
    assert response.status_code == status, response.content
    assert says in response.json()["detail"]
    assert Relation.objects.count() == before


def test_cycles_are_legal_in_the_catalogue(api_as, responder, catalogue):
    # invoicing serves acme and acme depends on invoicing already: a cycle, and that is fine.
    response = api_as(responder).post(
        "/api/v1/catalog/relations", {"from": "acme", "type": "serves", "to": "invoicing"}
    )
    assert response.status_code == 201


def test_reporters_read_the_catalogue_but_do_not_change_it(api_as, reporter, catalogue):
    api = api_as(reporter)
    assert api.get("/api/v1/catalog/entities/acme").status_code == 200
    refused = api.post("/api/v1/catalog/entities", {"name": "X", "kind": "system"})
    assert refused.status_code == 403
    assert api.patch("/api/v1/catalog/entities/acme", {"name": "Y"}).status_code == 403


def test_an_entity_that_is_a_touch_point_is_not_deleted(api_as, responder, catalogue, mistake):
    from ownup.understanding import services

    services.add_touch_point(mistake, "acme", "Billed too little", actor=responder)
    api = api_as(responder)
    assert api.delete("/api/v1/catalog/entities/acme").status_code == 422
    assert api.delete("/api/v1/catalog/entities/globex").status_code == 204
    assert api.get("/api/v1/catalog/entities/globex").status_code == 404


def test_unknown_entities_are_404_not_500(api_as, responder):
    response = api_as(responder).get("/api/v1/catalog/entities/nope")
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_numbers_beyond_the_databases_integers_are_refused(
    api_as, reporter, responder, catalogue, mistake
):
    api = api_as(reporter)
    assert api.get("/api/v1/catalog/entities", {"offset": 2**63}).status_code == 422
    assert api_as(responder).delete(f"/api/v1/catalog/relations/{2**63}").status_code == 404
    assert api.delete(f"/api/v1/mistakes/{mistake.pk}/factors/{2**63}").status_code == 404
    assert api.delete(f"/api/v1/mistakes/{mistake.pk}/whys/{2**40}").status_code == 404
    assert (
        api.get(f"/api/v1/mistakes/{mistake.pk}/implications", {"depth": 2**70}).status_code == 422
    )
