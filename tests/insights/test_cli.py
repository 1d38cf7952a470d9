"""ownup stats, import, export, backup and restore, as a script would run them."""

import json

import pytest
from typer.testing import CliRunner

from ownup.cli import get_app
from ownup.reporting import services
from ownup.reporting.models import Mistake


@pytest.fixture
def ownup(reporter, admin_user):
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(get_app(), list(args))

    return run


def test_stats_prints_tables_and_json(ownup, reporter):
    services.report({"title": "Sent the wrong invoice", "tags": ["invoices"]}, reporter=reporter)
    table = ownup("stats")
    assert table.exit_code == 0, table.output
    assert "Self-disclosed" in table.output
    assert "100%" in table.output
    as_json = ownup("stats", "--json", "--bucket", "week", "--months", "1")
    body = json.loads(as_json.output)
    assert body["reported"] == 1
    assert body["filters"]["bucket"] == "week"


def test_stats_names_the_months_and_weeks_of_its_trends(ownup, reporter):
    services.report({"title": "Sent the wrong invoice"}, reporter=reporter)
    by_month = ownup("stats", "--start", "2026-03-01", "--end", "2026-10-31")
    assert "per month, May to Oct" in by_month.output  # the last six of eight
    assert "per month, Oct" in ownup("stats", "--start", "2026-10-01", "--end", "2026-10-31").output
    by_week = ownup("stats", "--bucket", "week", "--start", "2026-10-01", "--end", "2026-10-31")
    assert "per week, 28 Sep to 26 Oct" in by_week.output  # weeks start on Monday
    assert by_month.output.count("By stage") == 1  # a title, not also its first column's header


def test_stats_rebuild_counts_what_was_written_behind_its_back(ownup, reporter):
    from ownup.organisation.models import Severity

    # Written straight into the table, as a hand-made repair would: no one told the totals.
    Mistake.objects.create(title="Typed into the database", severity=Severity.objects.scale()[0])
    before = json.loads(ownup("stats", "--json").stdout)
    assert before["reported"] == 0
    rebuilt = ownup("stats", "--json", "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Counted 1 mistakes again." in rebuilt.stderr
    assert json.loads(rebuilt.stdout)["reported"] == 1


def test_stats_refuses_bad_filters_in_one_line(ownup):
    result = ownup("stats", "--team", "nobody")
    assert result.exit_code == 1
    assert "No team 'nobody'" in result.output


def test_import_twice_then_export(ownup, tmp_path):
    source = tmp_path / "m.csv"
    source.write_text('title,tags,url\nWrong prices,"invoices, prices",https://x.example/1\n')
    first = ownup("import", str(source))
    assert first.exit_code == 0, first.output
    assert "Imported 1 of 1 records" in first.output
    second = ownup("import", str(source))
    assert "Imported 0 of 1 records; skipped 1 already imported and 0 invalid." in second.output
    assert "line 2" not in second.output  # importing twice is no fault: counted, not listed
    assert Mistake.objects.count() == 1
    exported = ownup("export", "--all", "--format", "csv")
    assert "Wrong prices" in exported.output
    assert ownup("export").exit_code == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"broken": ', "malformed JSON"),
        ('[{"title": "x", "colour": "red"}]', "unknown column colour"),
    ],
)
def test_import_refuses_unreadable_files_whole(ownup, tmp_path, content, words):
    path = tmp_path / "in.json"
    path.write_text(content)
    result = ownup("import", str(path))
    assert result.exit_code == 1
    assert words in result.output
    assert not Mistake.objects.exists()


def test_import_of_a_missing_file(ownup, tmp_path):
    result = ownup("import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def test_backup_and_restore_from_the_command_line(ownup, reporter, tmp_path):
    services.report({"title": "Deleted the shared folder"}, reporter=reporter)
    file = tmp_path / "all.json"
    assert ownup("backup", str(file)).exit_code == 0
    refused = ownup("restore", str(file))
    assert refused.exit_code == 1
    assert "--replace" in refused.output
    Mistake.objects.all().delete()
    restored = ownup("restore", str(file), "--replace")
    assert restored.exit_code == 0, restored.output
    assert Mistake.objects.get().title == "Deleted the shared folder"


def test_export_says_where_a_pdf_goes_without_an_output(ownup):
    shown = " ".join(ownup("export", "--help").output.replace("│", " ").split())
    assert "without -o it goes to postmortem-ID.pdf in the current folder." in shown


def test_only_an_admin_backs_up_or_restores(ownup, reporter, tmp_path):
    services.report(
        {"title": "Salary sheet shared", "confidentiality": "restricted"}, reporter=reporter
    )
    file = tmp_path / "all.json"
    backed_up = ownup("-u", "cy", "backup", str(file))
    assert backed_up.exit_code == 1
    assert backed_up.output.strip() == "error: only admins back up the instance"
    assert not file.exists()
    assert ownup("-u", "root", "backup", str(file)).exit_code == 0
    Mistake.objects.all().delete()
    restored = ownup("-u", "cy", "restore", str(file), "--replace")
    assert restored.output.strip() == "error: only admins restore a backup"
    assert not Mistake.objects.exists()


def test_stats_and_import_print_square_brackets_as_typed(ownup, reporter, tmp_path):
    services.report({"title": "Sent it twice", "tags": ["[x] [/]"]}, reporter=reporter)
    figures = ownup("stats")
    assert figures.exit_code == 0, figures.output
    assert "[x] [/]" in figures.output
    source = tmp_path / "[x]m[bold].csv"
    source.write_text("title,severity\nWrong prices,[/]\n")
    imported = ownup("import", str(source))
    assert imported.exit_code == 1, imported.output
    assert "skipped [x]m[bold].csv line 2: invalid: severity: No severity '[/]'." in " ".join(
        imported.output.split()
    )


def test_import_lists_the_first_invalid_records_and_counts_the_rest(ownup, tmp_path):
    source = tmp_path / "many.csv"
    rows = [f"Wrong price {n},{'nope' if n % 2 else 'low'}" for n in range(130)]
    source.write_text("title,severity\n" + "\n".join(rows) + "\n")
    result = ownup("import", str(source))
    assert result.exit_code == 1, result.output
    assert "error: 65 invalid records were not imported" in result.output
    assert "Imported 65 of 130 records; skipped 0 already imported and 65 invalid." in result.output
    listed = [line for line in result.output.splitlines() if line.startswith("  skipped ")]
    assert len(listed) == 50
    assert listed[0].startswith("  skipped many.csv line 3: invalid: severity: No severity")
    assert "  and 15 more invalid (--json lists them all)" in result.output
    as_json = json.loads(ownup("import", str(source), "--json").stdout)
    assert len(as_json["skipped"]) == 130  # the 65 just imported, and the 65 invalid
