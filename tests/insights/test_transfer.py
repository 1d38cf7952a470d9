import gc
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from ownup.insights import backup, exporting, importing
from ownup.insights.models import ImportedRecord
from ownup.reporting import services
from ownup.reporting.forms import MistakeForm
from ownup.reporting.models import TITLE_MAX_LENGTH, Mistake, TimelineEntry

POSTMORTEM = """---
title: Checkout outage after a config push
company: Acme
product: Checkout
categories: [config-change]
keywords: [deploy, payments]
summary: A configuration push removed the payment keys.
start_time: 2024-03-01T10:00:00Z
end_time: 2024-03-01T11:20:00Z
url: https://example.org/acme-checkout
---
# What happened
Payments failed for 80 minutes.
"""


def _import(path: Path, actor=None) -> importing.ImportResult:
    return importing.import_records(importing.read(path), source=str(path), actor=actor)


def test_markdown_postmortems_import_once(tmp_path, admin_user):
    (tmp_path / "acme.md").write_text(POSTMORTEM)
    first = _import(tmp_path, admin_user)
    again = _import(tmp_path, admin_user)
    assert (first.created, again.created, again.duplicates) == (1, 0, 1)
    mistake = Mistake.objects.get()
    assert mistake.title == "Acme · Checkout: Checkout outage after a config push"
    assert sorted(t.name for t in mistake.tags.all()) == ["config-change", "deploy", "payments"]
    assert mistake.stage == "closed"
    assert "Payments failed for 80 minutes." in mistake.description
    assert mistake.timeline.get().text == f"Imported from {tmp_path}"


def test_csv_keeps_the_good_records_and_names_the_bad(tmp_path, admin_user):
    path = tmp_path / "m.csv"
    path.write_text('title,severity,tags\nFine one,high,"a, b"\n,low,\nBad,huge,\n')
    result = _import(path, admin_user)
    assert result.created == 1
    assert [s.where for s in result.invalid] == ["m.csv line 3", "m.csv line 4"]
    assert "No severity 'huge'" in result.invalid[1].reason
    assert Mistake.objects.get().severity.name == "high"


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("bad.json", '[{"title": "x"', "malformed JSON at line 1"),
        ("cols.json", '[{"title": "x", "colour": "red"}]', "unknown column colour"),
        ("cols.csv", "title,colour\nx,red\n", "unknown column colour"),
        ("shape.json", '{"title": "x"}', "expected a list of objects"),
        ("front.md", "---\ntitle: [unclosed\n---\nbody", "malformed front matter"),
        ("nofront.md", "just text", "no YAML front matter"),
    ],
)
def test_unreadable_input_is_refused_whole(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(importing.ImportRefused, match=problem):
        importing.read(path)


def test_a_broken_file_in_a_folder_is_skipped_and_named_and_the_rest_imported(tmp_path, admin_user):
    (tmp_path / "acme.md").write_text(POSTMORTEM)
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "plain.md").write_text("just text")
    result = _import(tmp_path, admin_user)
    assert result.created == 1
    assert [(s.where, s.reason) for s in result.invalid] == [
        ("broken.md", "unreadable: malformed front matter at line 2"),
        ("notes/plain.md", "unreadable: no YAML front matter (the file must start with ---)"),
    ]
    assert Mistake.objects.get().title.startswith("Acme · Checkout")


def test_a_missing_path_is_refused(tmp_path):
    with pytest.raises(importing.ImportRefused, match="no such file or folder"):
        importing.read(tmp_path / "nope.json")


def test_export_then_import_elsewhere_keeps_the_records(tmp_path, reporter, admin_user):
    services.report(
        {"title": "Sent the wrong invoice", "tags": ["invoices"], "severity": "high"},
        reporter=reporter,
    )
    services.report(
        {"title": "Secret", "confidentiality": "restricted", "restricted_to": ["cy"]},
        reporter=reporter,
    )
    # Restricted to cy: an admin's export leaves it out.
    exported = json.loads(exporting.as_json(exporting.exported(admin_user)))
    assert [r["title"] for r in exported] == ["Sent the wrong invoice"]
    csv_text = exporting.as_csv(exporting.exported(reporter))
    assert csv_text.splitlines()[0].startswith("id,url,title")
    assert "Secret" in csv_text
    path = tmp_path / "out.json"
    path.write_text(json.dumps(exported))
    Mistake.objects.all().delete()
    assert _import(path, admin_user).created == 1
    copy = Mistake.objects.get()
    assert (copy.title, copy.severity.name, [t.name for t in copy.tags.all()]) == (
        "Sent the wrong invoice",
        "high",
        ["invoices"],
    )


def _everything() -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=backup.LEFT_OUT,
        format=backup.FORMAT,
        stdout=out,
    )
    return out.getvalue()


@time_machine.travel(datetime(2026, 3, 1, 9, 30, 0, 123, tzinfo=UTC), tick=False)
def test_backup_and_restore_lose_nothing(tmp_path, reporter, responder):
    # A time with microseconds below a millisecond: JSON would round it away.
    mistake = services.report(
        {"title": "Deleted the shared folder", "tags": ["documents"], "team": "billing"},
        reporter=reporter,
    )
    services.add_note(mistake, "Restored from the nightly copy", actor=responder)
    services.update(mistake, {"description": "  Kept as typed, white space too.\n"}, actor=reporter)
    ImportedRecord.objects.create(key="k" * 64, source="test", mistake=mistake)
    before = _everything()
    file = tmp_path / "backup.json.gz"
    backup.backup(file)
    with pytest.raises(ValueError, match="add --replace"):
        backup.restore(file, replace=False)
    Mistake.objects.all().delete()
    backup.restore(file, replace=True)
    assert _everything() == before
    assert TimelineEntry.objects.filter(text="Restored from the nightly copy").exists()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    with pytest.raises(ValueError, match="ends in"):
        backup.restore(tmp_path / "x.txt", replace=True)


def _refusal(errors) -> str:
    """The reporting form's words, as the API and the CLI say them."""
    return (
        "invalid: "
        + services.InvalidInput({k: list(map(str, v)) for k, v in errors.items()}).summary()
    )


def test_an_invalid_record_in_a_large_file_is_refused_as_the_form_refuses_it(
    tmp_path, reporter, admin_user, monkeypatch
):
    # Thousands of records are checked a field at a time; the ones with a problem must still
    # be refused with the reporting form's words, as if each were the only one. Batches of
    # 2 000, so that refused records fall at the end and the start of one.
    monkeypatch.setattr(importing, "BATCH", 2000)
    wrong = {
        3: {"title": "x" * (TITLE_MAX_LENGTH + 1), "tags": ["billing"]},
        1999: {
            "title": "Noticed before it happened",
            "occurred_at": "2024-03-02T10:00:00+00:00",
            "noticed_at": "2024-03-01T10:00:00+00:00",
        },
        2000: {"title": "Only for a team", "confidentiality": "team"},
        3500: {"title": "Named people", "restricted_to": ["cy"], "severity": "high"},
    }
    unknown_severity = {"title": "  ", "severity": "huge", "owner": "nobody"}
    good = {"title": "Sent the invoices twice", "severity": "high", "tags": ["billing", "a"]}
    records = [
        wrong.get(n, unknown_severity if n == 4000 else {**good, "url": f"https://x.org/{n}"})
        for n in range(4100)
    ]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(records))

    result = _import(path, admin_user)

    assert result.created == len(records) - len(wrong) - 1
    refused = {s.where: s.reason for s in result.invalid}
    for n, record in wrong.items():
        form = MistakeForm(data=record)
        assert not form.is_valid()
        assert refused[f"big.json #{n + 1}"] == _refusal(form.errors)
    # The import's own messages for names it looks up in memory, as its form gives them.
    alone = importing.ImportForm(importing.Names.load())
    assert not alone.check(unknown_severity)
    assert refused["big.json #4001"] == _refusal(alone.errors)
    assert "severity: No severity 'huge';" in refused["big.json #4001"]
    assert "title: Say in one sentence what went wrong;" in refused["big.json #4001"]


def test_the_cycle_collector_is_paused_only_while_an_import_runs(tmp_path, admin_user):
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"title": "Sent the invoices twice"}]))
    seen = []
    importing.import_records(
        importing.read(path),
        source=str(path),
        actor=admin_user,
        progress=lambda advanced: seen.append(gc.isenabled()),
    )
    assert seen == [False]
    assert gc.isenabled()


def test_json_values_no_field_reads_are_refused_by_name(tmp_path, admin_user):
    records = [
        {"title": "A number where a time goes", "occurred_at": 5},
        {"title": "A flag for a story", "description": True},
        {"title": "A list where one time goes", "occurred_at": ["2026-01-01"]},
        {"title": "Objects among the tags", "tags": [{"name": "billing"}]},
        {"title": "An object for a team", "team": {"slug": "billing"}},
        {"title": 1234, "tags": ["billing", "prices"]},
    ]
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(records))

    result = _import(path, admin_user)

    assert {s.where: s.reason for s in result.invalid} == {
        "odd.json #1": "invalid: occurred_at: Enter a valid date/time.",
        "odd.json #2": "invalid: description: expected text, not true or false",
        "odd.json #3": "invalid: occurred_at: expected text, not a list",
        "odd.json #4": "invalid: tags: expected a list of texts",
        "odd.json #5": "invalid: team: expected text, not an object",
    }
    imported = Mistake.objects.get()
    assert imported.title == "1234"
    assert sorted(imported.tags.values_list("name", flat=True)) == ["billing", "prices"]


def test_a_restricted_record_nobody_could_see_is_refused(tmp_path, reporter, admin_user):
    path = tmp_path / "restricted.json"
    records = [
        {"title": "Seen by nobody", "confidentiality": "restricted"},
        {"title": "Seen by its reporter", "confidentiality": "restricted", "reporter": "cy"},
        {"title": "Seen by the named", "confidentiality": "restricted", "restricted_to": ["cy"]},
    ]
    path.write_text(json.dumps(records))

    result = _import(path, admin_user)

    assert result.created == 2
    [refused] = result.invalid
    assert refused.where == "restricted.json #1"
    assert "restricted_to: Name at least one person who may see it" in refused.reason
    assert set(Mistake.objects.values_list("title", flat=True)) == {
        "Seen by its reporter",
        "Seen by the named",
    }


def test_imported_times_keep_the_report_forms_order_and_a_plausible_year(tmp_path, admin_user):
    path = tmp_path / "times.json"
    records = [
        {"title": "Fine", "reported_at": "2026-03-02T10:00:00Z", "noticed_at": "2026-03-01T10:00Z"},
        {
            "title": "Noticed later",
            "reported_at": "2026-03-02T10:00Z",
            "noticed_at": "2026-03-03T10:00Z",
        },
        {
            "title": "Happened later",
            "reported_at": "2026-03-02T10:00Z",
            "occurred_at": "2026-03-03T10:00Z",
        },
        {"title": "Order", "occurred_at": "2026-03-02T10:00Z", "noticed_at": "2026-03-01T10:00Z"},
        {"title": "Year", "reported_at": "1900-03-02T10:00:00Z"},
        {"title": "Year too", "occurred_at": "0026-03-02T10:00:00Z"},
        {"title": "Later", "reported_at": "2999-03-02T10:00:00Z"},
    ]
    path.write_text(json.dumps(records))
    result = _import(path, admin_user)
    assert list(Mistake.objects.values_list("title", flat=True)) == ["Fine"]
    reasons = [s.reason for s in result.invalid]
    assert reasons == [
        "invalid: noticed_at: It cannot have been noticed after it was reported.",
        "invalid: occurred_at: It cannot have happened after it was reported.",
        "invalid: noticed_at: It cannot have been noticed before it happened.",
        "invalid: reported_at: Check the year: 1900 is before 1970.",
        "invalid: occurred_at: Check the year: 26 is before 1970.",
        "invalid: reported_at: It cannot have been reported in the future.",
    ]


def test_an_owner_who_could_not_see_the_record_is_refused_as_a_report_refuses_it(
    tmp_path, reporter, responder, outsider, admin_user
):
    path = tmp_path / "owners.json"
    team = {"confidentiality": "team", "team": "billing"}
    records = [
        {"title": "Owned from outside the team", **team, "owner": "eli"},
        {"title": "Owned in the team", **team, "owner": "bo"},
        {"title": "Owned by its reporter", **team, "owner": "eli", "reporter": "eli"},
        {
            "title": "Restricted, owned by someone else",
            "confidentiality": "restricted",
            "restricted_to": ["cy"],
            "owner": "eli",
        },
        {
            "title": "Restricted, owned by the named",
            "confidentiality": "restricted",
            "restricted_to": ["cy", "eli"],
            "owner": "eli",
        },
        {"title": "Open, owned by anyone", "owner": "eli"},
    ]
    path.write_text(json.dumps(records))

    result = _import(path, admin_user)

    assert [(s.where, s.reason) for s in result.invalid] == [
        ("owners.json #1", "invalid: owner: eli cannot see this mistake, so cannot own it."),
        ("owners.json #4", "invalid: owner: eli cannot see this mistake, so cannot own it."),
    ]
    assert result.created == 4
    with pytest.raises(services.InvalidInput) as refused:
        services.report({"title": "x", **team, "owner": "eli"}, reporter=reporter)
    assert refused.value.errors["owner"] == [result.invalid[0].reason.split("owner: ")[1]]


def test_imported_stage_times_come_after_the_report_and_in_the_stages_order(tmp_path, admin_user):
    path = tmp_path / "stages.json"
    reported = {"reported_at": "2026-03-02T10:00:00Z"}
    records = [
        {
            "title": "In order",
            **reported,
            "contained_at": "2026-03-02T11:00Z",
            "fixed_at": "2026-03-03T10:00Z",
            "closed_at": "2026-03-09T10:00Z",
            "stage": "closed",
        },
        {"title": "Skipped containment", **reported, "fixed_at": "2026-03-03T10:00Z"},
        {"title": "Contained first", **reported, "contained_at": "2026-03-01T10:00Z"},
        {
            "title": "Fixed first",
            **reported,
            "contained_at": "2026-03-05T10:00Z",
            "fixed_at": "2026-03-04T10:00Z",
        },
        {
            "title": "Closed before fixed",
            **reported,
            "fixed_at": "2026-03-05T10:00Z",
            "closed_at": "2026-03-04T10:00Z",
        },
        {"title": "Closed later on", **reported, "closed_at": "2999-03-04T10:00Z"},
        {"title": "Contained long ago", **reported, "contained_at": "1900-03-04T10:00Z"},
        {"title": "No report time", "contained_at": "2026-03-04T10:00Z"},
    ]
    path.write_text(json.dumps(records))

    result = _import(path, admin_user)

    assert sorted(Mistake.objects.values_list("title", flat=True)) == [
        "In order",
        "Skipped containment",
    ]
    assert [s.reason.removeprefix("invalid: ") for s in result.invalid] == [
        "contained_at: It cannot have been contained before it was reported.",
        "fixed_at: It cannot have been fixed before it was contained.",
        "closed_at: It cannot have been closed before it was fixed.",
        "closed_at: It cannot have been closed in the future.",
        "contained_at: Check the year: 1900 is before 1970.",
        "contained_at: It cannot have been contained before it was reported: give reported_at.",
    ]
