"""The ownup command: report, list, show, move, note — with exit codes scripts can trust."""

import json

import pytest
from typer.testing import CliRunner

from ownup.cli import get_app
from ownup.reporting.models import Mistake, Stage

INVOICES = "Sent the March invoices with last year's prices"


@pytest.fixture
def ownup(reporter, admin_user):
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(get_app(), list(args))

    return run


def test_report_prints_the_id_and_a_link(ownup):
    result = ownup("--user", "cy", "report", INVOICES)
    assert result.exit_code == 0, result.output
    mistake = Mistake.objects.get()
    assert f"Reported #{mistake.pk}" in result.output
    assert f"http://127.0.0.1:8000/mistakes/{mistake.pk}/" in result.output
    assert mistake.reporter.username == "cy"
    assert mistake.title == INVOICES


def test_a_title_is_printed_as_it_was_typed_emoji_codes_included(ownup):
    result = ownup("--user", "cy", "report", "Answered :thumbs_up: to the wrong thread")
    assert result.exit_code == 0, result.output
    assert "Answered :thumbs_up: to the wrong thread" in result.output


def test_report_with_details_and_json(ownup):
    result = ownup(
        "--user",
        "cy",
        "report",
        INVOICES,
        "--severity",
        "high",
        "--team",
        "billing",
        "--found-by",
        "customer",
        "--tag",
        "billing",
        "--tag",
        "invoices",
        "--json",
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert (record["severity"], record["team"], record["discovered_by"]) == (
        "high",
        "billing",
        "customer",
    )
    assert record["tags"] == ["billing", "invoices"]


def test_the_first_admin_acts_when_no_user_is_named(ownup):
    assert ownup("report", INVOICES).exit_code == 0
    assert Mistake.objects.get().reporter.username == "root"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["report", ""], "TITLE: Say in one sentence what went wrong."),
        (["report", "x" * 100_000], "TITLE: Ensure this value has at most 200 characters"),
        (["report", "ok", "--found-by", "robot"], "--found-by:"),
        (
            ["report", "ok", "--occurred", "2026-01-02T10:00", "--noticed", "2026-01-01T10:00"],
            "--noticed: It cannot have been noticed before it happened.",
        ),
        (["report", "ok", "--severity", "huge"], "--severity: There is no severity huge"),
        (["show", "999"], "no mistake #999 that you can see"),
        (["--user", "nobody", "list"], "no active user named 'nobody'"),
        (["list", "--stage", "done"], "unknown stage 'done'"),
    ],
)
def test_refusals_are_one_line_and_exit_1(ownup, args, words):
    result = ownup(*args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert words in lines[0]
    assert "Traceback" not in result.output
    assert not Mistake.objects.exists()


def test_a_command_line_that_does_not_parse_exits_2(ownup):
    assert ownup("show", "seven").exit_code == 2
    assert ownup("lst").exit_code == 2


def test_list_and_show(ownup):
    ownup("--user", "cy", "report", "First")
    ownup("--user", "cy", "report", "Second")
    listed = json.loads(ownup("list", "--json").output)
    assert [m["title"] for m in listed] == ["Second", "First"]
    table = ownup("list").output
    assert "First" in table
    assert "Second" in table
    first = Mistake.objects.get(title="First")
    shown = ownup("show", str(first.pk), "--json")
    record = json.loads(shown.output)
    assert record["title"] == "First"
    assert [e["text"] for e in record["timeline"]] == ["Reported"]
    assert "Next step: Contain it" in ownup("show", str(first.pk)).output


def test_a_full_list_says_how_many_more_there_are_beside_the_table(ownup):
    for title in ("First", "Second", "Third"):
        ownup("--user", "cy", "report", title)
    shortened = ownup("list", "--limit", "2")
    assert "Third" in shortened.stdout
    assert "First" not in shortened.stdout
    assert "shown" not in shortened.stdout  # a pipe reads the mistakes alone
    assert "2 of 3 shown, newest first: --limit for more." in shortened.stderr
    assert "shown" not in ownup("list", "--limit", "3").stderr


def test_move_and_note(ownup):
    ownup("--user", "cy", "report", INVOICES)
    mistake = Mistake.objects.get()
    moved = ownup("--user", "cy", "move", str(mistake.pk))
    assert moved.exit_code == 0, moved.output
    assert "now contained" in moved.output
    refused = ownup("--user", "cy", "move", str(mistake.pk), "closed")
    assert refused.exit_code == 1
    assert "needs a reason" in refused.output
    skipped = ownup("--user", "cy", "move", str(mistake.pk), "fixed", "-r", "one obvious fix")
    assert skipped.exit_code == 0
    mistake.refresh_from_db()
    assert mistake.stage == Stage.FIXED
    noted = ownup(
        "--user", "cy", "note", str(mistake.pk), "Called the customer", "--at", "2026-03-01T10:00"
    )
    assert noted.exit_code == 0, noted.output
    assert mistake.timeline.filter(text="Called the customer").exists()
    assert ownup("note", str(mistake.pk), "x", "--at", "soon").exit_code == 1


# Square brackets a person may type, which Rich would otherwise read as its markup: "[x]" would
# vanish, "[bold]" would embolden what follows, and "[/]" would stop the command with an error.
BRACKETS = "[x] [bold]a[/] [/] b"


def test_show_says_who_found_it_in_words_for_any_reader(ownup):
    ownup("--user", "cy", "report", "First")  # found by its reporter, the default
    shown = ownup("show", str(Mistake.objects.get().pk)).output
    assert "The person who made it" in shown
    assert "Me," not in shown


def test_a_long_timeline_entry_wraps_under_its_own_text(ownup):
    ownup("--user", "cy", "report", "First")
    mistake = Mistake.objects.get()
    long_note = "Finance went through every invoice of the run " * 3
    ownup("--user", "cy", "note", str(mistake.pk), long_note)
    lines = ownup("show", str(mistake.pk)).output.splitlines()
    start = next(n for n, line in enumerate(lines) if "Finance went" in line)
    text_column = lines[start].index("Finance")
    assert lines[start + 1][:text_column].strip() == ""  # the times' column stays clear
    assert lines[start + 1].strip().split()[0] in long_note.split()


def test_report_list_and_show_print_square_brackets_as_typed(ownup):
    reported = ownup(
        "--user",
        "cy",
        "report",
        BRACKETS,
        "--what",
        "Typed [red]prices[/] into [/] the list",
        "--tag",
        "[x]",
    )
    assert reported.exit_code == 0, reported.output
    mistake = Mistake.objects.get()
    assert f"Reported #{mistake.pk}: {BRACKETS}" in reported.output
    ownup("--user", "cy", "note", str(mistake.pk), "Called [bold]them[/] back [/]")
    listed = ownup("list")
    assert listed.exit_code == 0, listed.output
    assert BRACKETS in listed.output
    shown = ownup("show", str(mistake.pk))
    assert shown.exit_code == 0, shown.output
    assert f"#{mistake.pk} {BRACKETS}" in shown.output
    assert "Typed [red]prices[/] into [/] the list" in shown.output
    assert "[x]" in shown.output.split("tags", 1)[1]
    assert "Called [bold]them[/] back [/]" in shown.output


def test_a_refusal_quoting_square_brackets_is_one_line_not_a_traceback(ownup):
    result = ownup("list", "--stage", "[/]")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "error: unknown stage '[/]'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "typed",
    ["[x]", "[bold]", "[/]", "a [/] b", "C:\\temp\\", "\\[x]", "a\\[1]", "\\\\", "[#fff]", "[@x]"],
)
@pytest.mark.parametrize("template", ["{}", "[bold]{}[/]", "{}[dim]:[/]", "{}[1]", "{}{}"])
def test_markup_keeps_its_own_styles_and_prints_the_values_as_typed(template, typed):
    from rich.text import Text

    from ownup.cli import markup

    values = [typed] * template.count("{}")
    printed = markup(template, *values)
    fixed = Text.from_markup(template.replace("{}", "\ue000"), emoji=False)
    assert printed.plain == fixed.plain.replace("\ue000", typed)
    assert [str(span.style) for span in printed.spans] == [str(s.style) for s in fixed.spans]


def test_help_lists_the_commands_in_the_order_of_the_lifecycle(ownup):
    shown = ownup("--help")
    assert shown.exit_code == 0, shown.output
    panels = [
        line.split("─ ", 1)[1].split(" ─", 1)[0]
        for line in shown.output.splitlines()
        if "╭─" in line
    ]
    assert panels == [
        "Options",
        "Commands",
        "Stage 2: contain it, do no harm",
        "Stage 3: understand the whole picture",
        "Stage 4: weigh the options, decide",
        "Stage 5: make the real fix",
        "Stage 6: tell everyone involved",
        "Stages 7 and 8: check that the fix holds, close",
        "People and access",
        "Learning",
        "The organisation",
        "Running ownup",
    ]


def test_problems_are_named_by_the_options_typed(ownup):
    assert ownup("--user", "cy", "report", "Wrong prices").exit_code == 0
    mistake = Mistake.objects.get()
    late = ownup("--user", "cy", "note", str(mistake.pk), "Stopped it", "--at", "2999-01-01T00:00")
    assert late.exit_code == 1
    assert late.output.strip() == "error: --at: A timeline entry cannot be in the future."
    both = ownup("report", "x", "--occurred", "0026-01-01", "--noticed=1960-01-01")
    assert both.output.strip() == (
        "error: --occurred: Check the year: 26 is before 1970. "
        "--noticed: Check the year: 1960 is before 1970."
    )


def test_a_lone_problem_of_an_argument_is_said_without_the_services_field_name(ownup):
    refused = ownup("search", '"')
    assert refused.exit_code == 1
    assert refused.output.strip() == "error: Type a word or two to search for."
