"""ownup contain / approve / take / lift / care / support / containment."""

import json

from ownup.containment.models import ActionStatus, ContainmentAction


def _contain(ownup, mistake, *extra):
    return ownup(
        "--user",
        "bo",
        "contain",
        str(mistake.pk),
        "Paused the invoice run",
        "--could-harm",
        "Invoices due today go out a day late",
        "--agreed-by",
        "Ada",
        "--remove-by",
        "3d",
        *extra,
    )


def test_contain_records_a_taken_action(ownup, responder, mistake):
    result = _contain(ownup, mistake, "--undo", "Resume the run", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["status"] == "taken"
    assert record["rollback"] == "Resume the run"
    listed = json.loads(ownup("containment", str(mistake.pk), "--json").output)
    assert listed["contained"] is True
    assert [a["what"] for a in listed["actions"]] == ["Paused the invoice run"]


def test_contain_without_a_rollback_is_refused_in_one_line(ownup, responder, mistake):
    result = _contain(ownup, mistake)
    assert result.exit_code == 1
    assert "rollback" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not ContainmentAction.objects.exists()


def test_a_bad_removal_time_is_refused(ownup, responder, mistake):
    result = ownup(
        "--user",
        "bo",
        "contain",
        str(mistake.pk),
        "Paused it",
        "--could-harm",
        "x",
        "--undo",
        "y",
        "--agreed-by",
        "Ada",
        "--remove-by",
        "next tuesday",
    )
    assert result.exit_code == 1
    assert "--remove-by" in result.output


def test_a_removal_time_is_weeks_away_at_most_a_year(ownup, responder, mistake):
    def contain(remove_by):
        return ownup(
            *("--user", "bo", "contain", str(mistake.pk), "Paused it", "--could-harm", "x"),
            *("--undo", "y", "--agreed-by", "Ada", "--remove-by", remove_by),
        )

    too_far = contain("99999999d")
    assert too_far.exit_code == 1
    assert too_far.output.strip() == (
        "error: --remove-by: '99999999d' is too long: a duration is at most 365 days."
    )
    assert not ContainmentAction.objects.exists()
    assert contain("2w").exit_code == 0
    action = ContainmentAction.objects.get()
    assert abs((action.remove_by - action.taken_at).total_seconds() - 14 * 86400) < 60


def test_what_cannot_be_undone_is_approved_by_someone_else(ownup, responder, manager, mistake):
    proposed = _contain(ownup, mistake, "--cannot-undo")
    assert proposed.exit_code == 0, proposed.output
    assert "must approve it" in proposed.output
    action = ContainmentAction.objects.get()

    own = ownup("--user", "bo", "approve", str(mistake.pk), str(action.pk))
    assert own.exit_code == 1
    assert "other than its author" in own.output
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED

    assert ownup("--user", "ada", "approve", str(mistake.pk), str(action.pk)).exit_code == 0
    assert ownup("--user", "bo", "take", str(mistake.pk), str(action.pk)).exit_code == 0
    assert ownup("--user", "bo", "lift", str(mistake.pk), str(action.pk)).exit_code == 0
    action.refresh_from_db()
    assert action.status == ActionStatus.REMOVED


def test_unknown_action_is_refused(ownup, responder, mistake):
    result = ownup("--user", "bo", "approve", str(mistake.pk), "404")
    assert result.exit_code == 1
    assert "no containment action #404" in result.output


def test_care_and_support(ownup, responder, manager, mistake):
    assert ownup("--user", "bo", "care", str(mistake.pk), "Called the customers").exit_code == 0
    refused = ownup("--user", "bo", "support", str(mistake.pk), "--note", "coffee")
    assert refused.exit_code == 1
    assert "managers" in refused.output
    offered = ownup("--user", "ada", "support", str(mistake.pk), "--note", "coffee")
    assert offered.exit_code == 0, offered.output
    shown = ownup("--user", "ada", "containment", str(mistake.pk))
    assert "Called the customers" in shown.output
    assert "coffee" in shown.output
    hidden = ownup("--user", "bo", "containment", str(mistake.pk))
    assert "coffee" not in hidden.output


def test_the_containment_prints_square_brackets_as_typed(ownup, responder, reporter):
    from ownup.reporting import services

    mistake = services.report({"title": "[x] sent [/] twice", "team": "billing"}, reporter=reporter)
    ownup(
        "--user",
        "bo",
        "contain",
        str(mistake.pk),
        "[bold]Paused[/]",
        "--could-harm",
        "[x] late",
        "--undo",
        "[/] resume",
        "--agreed-by",
        "Ada",
        "--remove-by",
        "3d",
    )
    ownup("--user", "bo", "care", str(mistake.pk), "Called [red]them[/] [/]")
    shown = ownup("containment", str(mistake.pk))
    assert shown.exit_code == 0, shown.output
    assert f"#{mistake.pk} [x] sent [/] twice" in shown.output
    for typed in ("[bold]Paused[/]", "[x] late", "[/] resume", "Called [red]them[/] [/]"):
        assert typed in shown.output
