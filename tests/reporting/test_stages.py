"""The stage machine: advancing, skipping with a reason, reopening, and what stages require."""

import pytest

from ownup.reporting import services, stages
from ownup.reporting.models import Mistake, Stage, TimelineEntry


@pytest.fixture
def mistake(reporter):
    return services.report(
        {"title": "Sent the March invoices with last year's prices"}, reporter=reporter
    )


@pytest.fixture
def contained_needs_an_action():
    """A stage requirement as an app registers one, removed again after the test."""

    def check(mistake: Mistake) -> str | None:
        return None if "contained" in mistake.description else "no containment action is taken"

    stages._requirements[Stage.CONTAINED].append(check)
    yield
    stages._requirements[Stage.CONTAINED].remove(check)


def test_the_eight_stages_are_in_the_order_of_the_method():
    assert [s.value for s in Stage] == [
        "reported",
        "contained",
        "understood",
        "decided",
        "fixed",
        "told",
        "monitoring",
        "closed",
    ]


def test_advance_moves_to_the_next_stage_and_records_it(mistake, responder):
    moved = stages.advance(mistake, actor=responder)
    assert moved.stage == Stage.CONTAINED
    assert moved.contained_at is not None
    entry = moved.timeline.get(kind=TimelineEntry.Kind.STAGE)
    assert entry.actor == responder
    assert entry.changes["stage"] == ["reported", "contained"]
    assert entry.text == "Moved to Contained"


def test_a_mistake_can_go_all_the_way_to_closed(mistake, responder):
    for _ in range(7):
        # The stages' apps register what each stage needs; a reason moves on without it.
        mistake = stages.advance(mistake, actor=responder, reason="done outside ownup")
    assert mistake.stage == Stage.CLOSED
    assert mistake.fixed_at is not None
    assert mistake.closed_at is not None
    with pytest.raises(stages.StageError, match="reopen"):
        stages.advance(mistake, actor=responder)


def test_skipping_a_stage_needs_a_reason(mistake, responder):
    with pytest.raises(stages.StageError, match="skips Contained, Understood, Decided"):
        stages.move(mistake, Stage.FIXED, actor=responder)
    mistake.refresh_from_db()
    assert mistake.stage == Stage.REPORTED
    assert not mistake.timeline.filter(kind=TimelineEntry.Kind.STAGE).exists()

    moved = stages.move(mistake, Stage.FIXED, actor=responder, reason="no customer was affected")
    assert moved.stage == Stage.FIXED
    entry = moved.timeline.get(kind=TimelineEntry.Kind.STAGE)
    assert entry.changes["skipped"] == ["contained", "understood", "decided"]
    assert entry.changes["reason"] == "no customer was affected"
    assert "no customer was affected" in entry.text


def test_a_blank_reason_is_no_reason(mistake, responder):
    with pytest.raises(stages.StageError):
        stages.move(mistake, Stage.DECIDED, actor=responder, reason="   ")


def test_unmet_requirements_make_the_move_a_skip(mistake, responder, contained_needs_an_action):
    assert stages.unmet_requirements(mistake, Stage.CONTAINED) == ["no containment action is taken"]
    with pytest.raises(stages.StageError, match="no containment action is taken"):
        stages.advance(mistake, actor=responder)
    moved = stages.advance(mistake, actor=responder, reason="the batch was never sent")
    assert moved.timeline.get(kind=TimelineEntry.Kind.STAGE).changes["unmet"] == [
        "no containment action is taken"
    ]


def test_met_requirements_let_the_mistake_advance_freely(
    mistake, responder, contained_needs_an_action
):
    Mistake.objects.filter(pk=mistake.pk).update(description="contained by stopping the run")
    mistake.refresh_from_db()
    assert stages.advance(mistake, actor=responder).stage == Stage.CONTAINED


def test_reopen_needs_a_reason_and_clears_later_milestones(mistake, responder):
    for _ in range(7):
        mistake = stages.advance(mistake, actor=responder, reason="done outside ownup")
    with pytest.raises(stages.StageError, match="reopening at Fixed needs a reason"):
        stages.move(mistake, Stage.FIXED, actor=responder)
    reopened = stages.move(mistake, Stage.FIXED, actor=responder, reason="the check failed")
    assert reopened.stage == Stage.FIXED
    assert reopened.closed_at is None
    assert reopened.fixed_at is not None
    assert reopened.contained_at is not None
    assert reopened.timeline.last().text == "Reopened at Fixed: the check failed"


def test_moving_to_the_same_stage_or_an_unknown_one_is_refused(mistake, responder):
    with pytest.raises(stages.StageError, match="already reported"):
        stages.move(mistake, Stage.REPORTED, actor=responder)
    with pytest.raises(stages.StageError, match="unknown stage 'done'"):
        stages.move(mistake, "done", actor=responder)


def test_a_refused_move_writes_nothing(mistake, responder):
    before = mistake.timeline.count()
    with pytest.raises(stages.StageError):
        stages.move(mistake, Stage.CLOSED, actor=responder)
    mistake.refresh_from_db()
    assert (mistake.stage, mistake.timeline.count()) == (Stage.REPORTED, before)
