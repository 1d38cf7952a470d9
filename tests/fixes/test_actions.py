"""Corrective and preventive actions: adding, doing, verifying, and when a mistake is fixed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ownup.fixes import services
from ownup.fixes.models import Action, FixPolicy
from ownup.reporting import stages


def _due(days: int = 7) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _add(api, mistake, **fields):
    body = {"title": "Load prices from the contract system", "owner": "bo", "due_date": _due()}
    return api.post(f"/api/v1/mistakes/{mistake.pk}/actions", {**body, **fields})


def test_an_action_is_added_done_and_verified_by_api(api_as, mistake, responder, manager):
    api = api_as(responder)
    response = _add(
        api,
        mistake,
        kind="preventive",
        strength="strong",
        tracker_url="https://tracker.example/BILL-42",
    )
    assert response.status_code == 201, response.content
    action = response.json()
    assert (action["kind"], action["strength"], action["status"]) == (
        "preventive",
        "strong",
        "open",
    )
    assert action["tracker_url"] == "https://tracker.example/BILL-42"

    done = api.post(f"/api/v1/actions/{action['id']}/done", {"evidence": "PR 481 merged"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    assert done.json()["verified_at"] is None  # done is not yet verified

    verified = api_as(manager).post(f"/api/v1/actions/{action['id']}/verify", {"note": "Saw it"})
    assert verified.json()["verified_by"] == "ada"
    listing = api.get(f"/api/v1/mistakes/{mistake.pk}/actions").json()
    assert [a["id"] for a in listing["items"]] == [action["id"]]
    assert listing["fix_needs"] is None
    texts = list(mistake.timeline.values_list("text", flat=True))
    assert any(t.startswith("Action done: Load prices") for t in texts)

    cancelled = api.post(f"/api/v1/actions/{action['id']}/cancel", {"reason": "Not needed"})
    assert cancelled.status_code == 422
    assert "A verified action cannot be cancelled" in cancelled.json()["errors"]["status"][0]
    assert api.get(f"/api/v1/mistakes/{mistake.pk}/actions").json()["items"][0]["status"] == "done"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"due_date": "2020-01-01"}, "due_date", "in the past"),
        ({"due_date": "tomorrow"}, "due_date", "date"),
        ({"owner": "nobody"}, "owner", "no active user"),
        ({"tracker_url": "not a link at all"}, "tracker_url", "URL"),
        ({"title": "   "}, "title", "what will be done"),
        ({"kind": "cosmetic"}, "kind", ""),
    ],
)
def test_bad_actions_are_refused_naming_the_field(api_as, mistake, responder, fields, field, words):
    response = _add(api_as(responder), mistake, **fields)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in errors
    assert words.lower() in " ".join(errors[field]).lower()
    assert not Action.objects.exists()


def test_done_needs_evidence(api_as, mistake, responder):
    api = api_as(responder)
    action = _add(api, mistake).json()
    response = api.post(f"/api/v1/actions/{action['id']}/done", {"evidence": "  "})
    assert response.status_code == 422
    assert "evidence" in response.json()["errors"]
    assert Action.objects.get().status == "open"


def test_an_owner_who_cannot_see_the_mistake_is_refused(
    secret, api_as, responder, outsider, reporter
):
    response = _add(api_as(responder), secret, owner=outsider.username)
    assert response.status_code == 422
    assert "cannot see" in response.json()["errors"]["owner"][0]


def test_people_outside_a_restricted_mistake_cannot_see_its_actions(
    secret, api_as, reporter, responder, outsider
):
    action = _add(api_as(responder), secret).json()
    outside = api_as(outsider)
    assert outside.get(f"/api/v1/actions/{action['id']}").status_code == 404
    assert outside.get(f"/api/v1/mistakes/{secret.pk}/actions").status_code == 404
    assert (
        outside.post(f"/api/v1/actions/{action['id']}/done", {"evidence": "x"}).status_code == 404
    )


def test_someone_who_may_not_act_cannot_add_actions(api_as, mistake, outsider):
    response = _add(api_as(outsider), mistake)
    assert response.status_code == 403
    assert not Action.objects.exists()


def test_the_organisation_can_require_a_reviewer_other_than_the_owner(
    api_as, mistake, responder, manager
):
    FixPolicy.objects.update_or_create(pk=1, defaults={"require_independent_verification": True})
    api = api_as(responder)
    action = _add(api, mistake).json()
    api.post(f"/api/v1/actions/{action['id']}/done", {"evidence": "PR 481"})
    refused = api.post(f"/api/v1/actions/{action['id']}/verify", {})
    assert refused.status_code == 403
    assert "someone other than" in refused.json()["detail"]
    needs = api.get(f"/api/v1/mistakes/{mistake.pk}/actions").json()["fix_needs"]
    assert "verifying" in needs
    assert api_as(manager).post(f"/api/v1/actions/{action['id']}/verify", {}).status_code == 200
    assert api.get(f"/api/v1/mistakes/{mistake.pk}/actions").json()["fix_needs"] is None


def test_a_mistake_with_only_weak_actions_is_warned(api_as, mistake, responder):
    api = api_as(responder)
    _add(api, mistake, title="Remind everyone to check the price list", strength="weak")
    listing = api.get(f"/api/v1/mistakes/{mistake.pk}/actions").json()
    assert "weak" in listing["strength_warning"]
    _add(api, mistake, title="Block an invoice run on an outdated price list", strength="strong")
    assert api.get(f"/api/v1/mistakes/{mistake.pk}/actions").json()["strength_warning"] is None


def test_fixed_needs_every_action_done_or_a_reason(api_as, mistake, responder):
    api = api_as(responder)
    stages.move(mistake, "decided", actor=responder, reason="tested elsewhere")
    refused = api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "fixed"})
    assert refused.status_code == 409
    assert "no corrective or preventive action" in refused.json()["detail"]

    first = _add(api, mistake).json()
    second = _add(api, mistake, title="Add a price check to the invoice run").json()
    api.post(f"/api/v1/actions/{first['id']}/done", {"evidence": "PR 481"})
    refused = api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "fixed"})
    assert "1 of 2 actions are not done" in refused.json()["detail"]

    api.post(f"/api/v1/actions/{second['id']}/cancel", {"reason": "Covered by the first"})
    moved = api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "fixed"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage"] == "fixed"


def test_fixed_with_a_reason_when_actions_are_not_done(api_as, mistake, responder):
    stages.move(mistake, "decided", actor=responder, reason="tested elsewhere")
    moved = api_as(responder).post(
        f"/api/v1/mistakes/{mistake.pk}/stage",
        {"stage": "fixed", "reason": "the vendor fixed it on their side"},
    )
    assert moved.status_code == 200
    assert services.fix_needs(mistake) is not None


def test_moving_the_due_date_into_the_past_is_refused_but_keeping_it_is_not(
    api_as, mistake, responder, time_machine
):
    api = api_as(responder)
    action = _add(api, mistake, due_date=_due(1)).json()
    time_machine.move_to(timezone.now() + timedelta(days=5))
    # The date has passed; other changes are still allowed, a new past date is not.
    renamed = api.patch(f"/api/v1/actions/{action['id']}", {"title": "Load prices from contracts"})
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["overdue"] is True
    refused = api.patch(
        f"/api/v1/actions/{action['id']}",
        {"due_date": (timezone.localdate() - timedelta(days=1)).isoformat()},
    )
    assert refused.status_code == 422
    assert "in the past" in refused.json()["errors"]["due_date"][0]
