"""The CLI: catalogue import and export, touch points, implications, factors, whys."""

from ownup.understanding.models import ContributingFactor, Entity, TouchPoint, Why

CSV = """record,key,name,kind,owners,from,type,to
entity,invoicing,Invoicing system,system,bo,,,
entity,acme,Acme Ltd,customer,ada,,,
relation,,,,,invoicing,serves,acme
"""


def test_import_export_round_trip(ownup, admin_user, responder, manager, tmp_path):
    source = tmp_path / "catalogue.csv"
    source.write_text(CSV)
    first = ownup("catalog", "import", str(source))
    assert first.code == 0, first.err
    assert "created 2 entities, 1 relation" in first.out
    again = ownup("catalog", "import", str(source))
    assert "unchanged 2 entities, 1 relation" in again.out
    exported = ownup("catalog", "export", "--format", "yaml")
    assert exported.code == 0
    assert "key: invoicing" in exported.out
    target = tmp_path / "out.csv"
    assert ownup("catalog", "export", "--format", "csv", "-o", str(target)).code == 0
    assert "relation,,,,,,invoicing,serves,acme," in target.read_text()


def test_a_bad_row_is_one_line_exit_1_and_nothing_written(ownup, admin_user, tmp_path):
    source = tmp_path / "catalogue.csv"
    source.write_text(CSV + "entity,x,X,spaceship,,,,\n")
    result = ownup("catalog", "import", str(source))
    assert result.code == 1
    assert "row 5: unknown kind 'spaceship'" in result.err
    assert "Traceback" not in result.err
    assert not Entity.objects.exists()


def test_import_refusals(ownup, admin_user, tmp_path):
    assert "Cannot tell the format" in ownup("catalog", "import", str(tmp_path / "x.txt")).err
    missing = ownup("catalog", "import", str(tmp_path / "missing.csv"))
    assert missing.code == 1
    assert "cannot read" in missing.err
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert "not UTF-8" in ownup("catalog", "import", str(binary)).err
    assert ownup("catalog", "export", "--format", "xml").code == 1


def test_a_long_import_shows_progress_and_finishes(ownup, admin_user, tmp_path):
    rows = "".join(f"entity,e{n},Entity {n},system,,,,\n" for n in range(2500))
    source = tmp_path / "big.csv"
    source.write_text("record,key,name,kind,owners,from,type,to\n" + rows)
    result = ownup("catalog", "import", str(source))
    assert result.code == 0, result.err
    assert "created 2500 entities" in result.out
    assert Entity.objects.count() == 2500


def test_touch_implications_factor_and_why(ownup, admin_user, reporter, catalogue, mistake):
    added = ownup("touch", str(mistake.pk), "price-list", "--impact", "Out of date")
    assert added.code == 0, added.err
    assert TouchPoint.objects.filter(mistake=mistake, entity__key="price-list").exists()
    duplicate = ownup("touch", str(mistake.pk), "nowhere", "--impact", "x")
    assert duplicate.code == 1
    assert "no entity 'nowhere'" in duplicate.err
    listed = ownup("implications", str(mistake.pk), "--depth", "1", "--json")
    assert '"ref": "invoicing"' in listed.out
    assert ownup("implications", str(mistake.pk), "--depth", "10000").code == 1
    accepted = ownup("implications", str(mistake.pk), "--accept", "invoicing", "--dismiss", "@bo")
    assert accepted.code == 0, accepted.err
    assert "Accepted Invoicing system" in accepted.out
    assert TouchPoint.objects.filter(entity__key="invoicing").exists()
    assert ownup("implications", str(mistake.pk), "--accept", "mars").code == 1
    assert ownup("factor", str(mistake.pk), "process", "No version check").code == 0
    assert ContributingFactor.objects.get().category.name == "process"
    bad = ownup("factor", str(mistake.pk), "luck", "x")
    assert bad.code == 1
    assert "category" in bad.err
    assert ownup("why", str(mistake.pk), "Wrong list").code == 0
    assert ownup("why", str(mistake.pk), "Newest file wins").code == 0
    chain = ownup("why", str(mistake.pk))
    assert "1. Why? Wrong list" in chain.out
    assert "2. Why? Newest file wins" in chain.out
    assert Why.objects.count() == 2
    shown = ownup("understanding", str(mistake.pk), "--json")
    assert '"contributing_factors"' in shown.out


def test_the_problem_statement_from_the_cli(ownup, admin_user, reporter, mistake):
    result = ownup("problem", str(mistake.pk), "--what", "Wrong prices", "--escape-point", "review")
    assert result.code == 0, result.err
    assert "what: Wrong prices" in result.out
    assert "escape point: review" in result.out


def test_someone_who_cannot_see_the_mistake_gets_not_found(ownup, outsider, reporter):
    from ownup.reporting import services as reporting

    secret = reporting.report(
        {"title": "Salary file shared", "confidentiality": "restricted"}, reporter=reporter
    )
    result = ownup("--user", "eli", "touch", str(secret.pk))
    assert result.code == 1
    assert f"no mistake #{secret.pk}" in result.err


def test_the_catalogue_and_the_understanding_print_square_brackets_as_typed(
    ownup, admin_user, reporter
):
    from ownup.reporting import services as reporting

    mistake = reporting.report({"title": "[x] sent [/] twice"}, reporter=reporter)
    m = str(mistake.pk)
    name, description = "[x] [bold]CRM[/]", "Old [/] one"
    added = ownup(
        "catalog", "add", name, "--kind", "system", "--key", "crm", "--description", description
    )
    assert added.code == 0, added.err
    listed = ownup("catalog", "list")
    assert listed.code == 0, listed.err
    assert name in listed.out
    shown = ownup("catalog", "show", "crm")
    assert shown.code == 0, shown.err
    assert f"{name} (system) · crm" in shown.out
    assert description in shown.out
    assert ownup("touch", m, "crm", "--impact", "[red]down[/] [/]").code == 0
    points = ownup("touch", m)
    assert points.code == 0, points.err
    assert "[red]down[/] [/]" in points.out
    assert ownup("factor", m, "process", "[bold]no[/] check [/]").code == 0
    factors = ownup("factor", m)
    assert factors.code == 0, factors.err
    assert "process [bold]no[/] check [/]" in factors.out
    whole = ownup("understanding", m)
    assert whole.code == 0, whole.err
    assert f"#{m} [x] sent [/] twice" in whole.out
    assert f"{name} (system): [red]down[/] [/]" in whole.out


def test_the_vocabulary_reads_as_json(ownup, admin_user):
    import json

    shown = ownup("catalog", "kinds", "--json")
    assert shown.code == 0, shown.err
    vocabulary = json.loads(shown.out)
    assert "system" in [k["name"] for k in vocabulary["kinds"]]
    assert {"name": "depends on", "flows": "backward"}.items() <= vocabulary["relation_types"][
        0
    ].items()
    assert "process" in [c["name"] for c in vocabulary["factor_categories"]]
