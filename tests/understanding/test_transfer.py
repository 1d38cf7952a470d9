"""Importing and exporting the catalogue: whole or nothing, idempotent, errors naming the row."""

import io

import pytest
import yaml

from ownup.reporting.services import InvalidInput
from ownup.understanding import transfer
from ownup.understanding.models import Entity, EntityKind, Relation, RelationType

CSV = """record,key,name,kind,owners,description,from,type,to,flows
kind,,regulator,,,An authority,,,,
relation type,,reports to,,,,,,,backward
entity,acme,Acme Ltd,customer,bo,Largest account,,,,
entity,invoicing,Invoicing system,system,bo ada,,,,,
,dpa,Data authority,regulator,,,,,,
relation,,,,,,invoicing,serves,acme,
,,,,,,invoicing,reports to,dpa,
"""


def test_a_csv_file_creates_kinds_types_entities_and_relations(responder, manager):
    result = transfer.import_catalog(CSV, "csv")
    assert result.created == {"kind": 1, "relation type": 1, "entity": 3, "relation": 2}
    assert EntityKind.objects.filter(name="regulator").exists()
    assert RelationType.objects.get(name="reports to").flows == "backward"
    invoicing = Entity.objects.get(key="invoicing")
    assert sorted(u.username for u in invoicing.owners.all()) == ["ada", "bo"]
    assert Relation.objects.filter(source__key="invoicing", target__key="dpa").exists()


def test_importing_twice_changes_nothing(responder, manager):
    transfer.import_catalog(CSV, "csv")
    again = transfer.import_catalog(CSV, "csv")
    assert again.created == {}
    assert again.updated == {}
    assert again.unchanged == {"kind": 1, "relation type": 1, "entity": 3, "relation": 2}
    assert Entity.objects.count() == 3
    assert Relation.objects.count() == 2


def test_a_changed_row_updates_the_entity(responder, manager):
    transfer.import_catalog(CSV, "csv")
    changed = CSV.replace("Acme Ltd,customer,bo,", "Acme Group,customer,ada,")
    result = transfer.import_catalog(changed, "csv")
    assert result.updated == {"entity": 1}
    acme = Entity.objects.get(key="acme")
    assert acme.name == "Acme Group"
    assert [u.username for u in acme.owners.all()] == ["ada"]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("entity,x,X,spaceship,,,,,,", "row 9: unknown kind 'spaceship'"),
        ("entity,y,Y,system,nobody,,,,,", "row 9: no active user named 'nobody'"),
        ("entity,acme,Acme again,customer,,,,,,", "row 9: the key 'acme' is used by row 4 too"),
        ("relation,,,,,,acme,serves,acme,", "row 9: 'acme' cannot be related to itself"),
        ("relation,,,,,,acme,serves,nowhere,", "row 9: no entity with the key 'nowhere'"),
        ("relation,,,,,,acme,loves,invoicing,", "row 9: unknown relation type 'loves'"),
        ("entity,bad key!,Z,system,,,,,,", "row 9: the key 'bad key!'"),
        ("entity,z,,system,,,,,,", "row 9: an entity needs a name"),
        ("planet,,,,,,,,,", "row 9: unknown record 'planet'"),
        ("relation type,,feeds back,,,,,,,sideways", "row 9: flows is 'sideways'"),
        ("entity,q,Q,system,,,,,,,extra", "row 9: more cells than the header"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(responder, manager, line, says):
    with pytest.raises(InvalidInput) as refused:
        transfer.import_catalog(CSV + line + "\n", "csv")
    assert says in str(refused.value)
    assert not Entity.objects.exists()
    assert not EntityKind.objects.filter(name="regulator").exists()


def test_every_problem_is_listed_at_once(responder):
    bad = "record,key,name,kind\nentity,a,A,nope\nentity,b,B,nope\n"
    with pytest.raises(InvalidInput) as refused:
        transfer.import_catalog(bad, "csv")
    assert "row 2" in str(refused.value)
    assert "row 3" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "fmt", "says"),
    [
        ("record,colour\nentity,red\n", "csv", "unknown column 'colour'"),
        ("record,key,name,kind\nentity,a,A\x00,system\n", "csv", "line 2: a NUL character"),
        ("", "csv", "empty"),
        ("entities: [", "yaml", "line 1"),
        ("- just a list", "yaml", "must be a mapping"),
        ("planets: []", "yaml", "Unknown section 'planets'"),
        ("entities: {key: a}", "yaml", "entities must be a list"),
        ("entities:\n  - just text", "yaml", "entities item 1: must be a mapping"),
        ("entities:\n  - {key: a, name: A, kind: system, description: {x: 1}}", "yaml", "plain"),
    ],
)
def test_malformed_files_get_a_clear_error(responder, text, fmt, says):
    with pytest.raises(InvalidInput) as refused:
        transfer.import_catalog(text, fmt)
    assert says in str(refused.value)


def test_export_imports_back_into_an_empty_catalogue_unchanged(responder, manager, catalogue):
    for fmt in transfer.FORMATS:
        out = io.StringIO()
        transfer.export_catalog(fmt, out)
        exported = out.getvalue()
        before = {(e.key, e.name, e.kind.name) for e in Entity.objects.all()}
        relations = set(Relation.objects.values_list("source__key", "type__name", "target__key"))
        Entity.objects.all().delete()
        result = transfer.import_catalog(exported, fmt)
        assert result.created["entity"] == len(before)
        assert {(e.key, e.name, e.kind.name) for e in Entity.objects.all()} == before
        assert (
            set(Relation.objects.values_list("source__key", "type__name", "target__key"))
            == relations
        )
        assert Entity.objects.get(key="acme").owners.get().username == "ada"


def test_yaml_export_lists_owners_as_a_list(responder, manager, catalogue):
    out = io.StringIO()
    transfer.export_catalog("yaml", out)
    document = yaml.safe_load(out.getvalue())
    acme = next(e for e in document["entities"] if e["key"] == "acme")
    assert acme["owners"] == ["ada"]
    assert {"from": "invoicing", "type": "serves", "to": "acme"} in document["relations"]


def test_the_format_comes_from_the_file_name_or_is_asked_for():
    assert transfer.detect_format("catalogue.CSV") == "csv"
    assert transfer.detect_format("c.yml") == "yaml"
    with pytest.raises(InvalidInput):
        transfer.detect_format("catalogue.txt")
    with pytest.raises(InvalidInput):
        transfer.detect_format("c.csv", "xml")


def test_import_through_the_api(api_as, responder, manager):
    api = api_as(responder)
    response = api.post("/api/v1/catalog/import", {"format": "csv", "content": CSV})
    assert response.status_code == 200, response.content
    assert "created" in response.json()["summary"]
    bad = api.post("/api/v1/catalog/import", {"format": "csv", "content": CSV + "x,y\n"})
    assert bad.status_code == 422
    assert "row 9" in bad.json()["detail"]
    exported = api.get("/api/v1/catalog/export", {"format": "csv"})
    assert exported.status_code == 200
    assert exported.json()["format"] == "csv"
    assert "invoicing,serves,acme" in exported.json()["content"]


def test_the_default_vocabulary_comes_back_when_its_tables_are_empty(responder):
    from ownup.understanding.models import FactorCategory

    EntityKind.objects.all().delete()
    RelationType.objects.all().delete()
    FactorCategory.objects.all().delete()
    transfer.import_catalog("entities:\n  - {key: a, name: A, kind: system}\n", "yaml")
    assert Entity.objects.get().kind.name == "system"
    assert RelationType.objects.get(name="depends on").flows == "backward"
    assert FactorCategory.objects.count() == 6
