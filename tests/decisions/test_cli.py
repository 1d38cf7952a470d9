"""ownup options add / score / list, ownup decide, ownup decision, ownup criteria."""

import json

from ownup.decisions.models import Criterion, Option


def test_add_score_list_and_decide(ownup, responder, mistake):
    m = str(mistake.pk)
    added = ownup(
        "--user",
        "bo",
        "options",
        "add",
        m,
        "Check the price list",
        "--strength",
        "strong",
        "--score",
        "effort=2",
        "--json",
    )
    assert added.exit_code == 0, added.output
    option_id = json.loads(added.output)["id"]
    ownup("--user", "bo", "options", "add", m, "Remind people", "--strength", "weak")

    scored = ownup("--user", "bo", "options", "score", m, str(option_id), "risk=1", "cost=2")
    assert scored.exit_code == 0, scored.output
    listed = json.loads(ownup("options", "list", m, "--json").output)
    assert listed[0]["scores"] == {"effort": 2, "risk": 1, "cost": 2}

    chosen = ownup("--user", "bo", "decide", m, str(option_id), "--why", "Does not rely on memory")
    assert chosen.exit_code == 0, chosen.output
    shown = json.loads(ownup("decision", m, "--json").output)
    assert shown["current"]["option"] == "Check the price list"


def test_a_weak_choice_prints_a_warning(ownup, responder, mistake):
    ownup("--user", "bo", "options", "add", str(mistake.pk), "Remind people", "--strength", "weak")
    option = Option.objects.get()
    result = ownup("--user", "bo", "decide", str(mistake.pk), str(option.pk), "--why", "Cheap")
    assert "Warning" in result.output


def test_the_ranking_points_out_a_stronger_option_ranked_lower(ownup, responder, mistake):
    m = str(mistake.pk)
    ownup("--user", "bo", "options", "add", m, "Remind people", "--strength", "weak",
          "--score", "effort=1")  # fmt: skip
    ownup("--user", "bo", "options", "add", m, "Refuse old prices", "--strength", "strong",
          "--score", "effort=5")  # fmt: skip
    strong = Option.objects.get(title="Refuse old prices")
    listed = ownup("options", "list", m).output
    assert f"stronger than the first-ranked (weak): #{strong.pk} Refuse old prices (strong)" in (
        " ".join(listed.split())
    )


def test_bad_input_is_one_line_and_exit_1(ownup, responder, mistake):
    m = str(mistake.pk)
    ownup("--user", "bo", "options", "add", m, "Check it", "--strength", "strong")
    option = Option.objects.get()
    cases = [
        ("options", "add", m, "check IT", "--strength", "strong"),
        ("options", "add", m, "Other", "--strength", "mighty"),
        ("options", "score", m, str(option.pk), "risk=6"),
        ("options", "score", m, str(option.pk), "risk"),
        ("options", "score", m, "999", "risk=1"),
        ("decide", m, "999", "--why", "Because"),
        ("criteria", "weight", "risk", "-1"),
    ]
    for args in cases:
        result = ownup("--user", "bo", *args) if args[0] != "criteria" else ownup(*args)
        assert result.exit_code == 1, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, (args, result.output)
    assert Option.objects.count() == 1
    assert Criterion.objects.get(key="risk").weight == 3


def test_criteria_weight(ownup):
    assert ownup("criteria", "weight", "risk", "5").exit_code == 0
    listed = json.loads(ownup("criteria", "list", "--json").output)
    assert {c["key"]: c["weight"] for c in listed}["risk"] == 5


def test_options_and_decisions_print_square_brackets_as_typed(ownup, responder, mistake):
    m = str(mistake.pk)
    added = ownup(
        "--user", "bo", "options", "add", m, "[x] [bold]lock[/] [/]", "--strength", "weak"
    )
    assert added.exit_code == 0, added.output
    assert "[x] [bold]lock[/] [/]" in added.output
    listed = ownup("options", "list", m)
    assert listed.exit_code == 0, listed.output
    assert "[x] [bold]lock[/] [/]" in listed.output
    option = Option.objects.get()
    chosen = ownup("--user", "bo", "decide", m, str(option.pk), "--why", "[red]cheap[/] [/]")
    assert chosen.exit_code == 0, chosen.output
    shown = ownup("decision", m)
    assert shown.exit_code == 0, shown.output
    assert "chose [x] [bold]lock[/] [/]: [red]cheap[/] [/]" in shown.output
