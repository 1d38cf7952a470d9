from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from ownup.containment import services
from ownup.containment.models import ActionStatus, ContainmentAction, SupportStep
from ownup.reporting import stages
from ownup.reporting.models import Stage
from ownup.reporting.services import InvalidInput


def _check(**overrides):
    body = {
        "what": "Paused the invoice run",
        "could_harm": "Invoices due today go out a day late",
        "reversible": True,
        "rollback": "Resume the run in the billing console",
        "agreed_by": "Ada, billing manager",
        "remove_by": (timezone.now() + timedelta(days=3)).isoformat(),
    }
    body.update(overrides)
    return body


def test_an_action_that_can_be_undone_is_taken_and_contains_the_mistake(api_as, responder, mistake):
    api = api_as(responder)
    assert stages.unmet_requirements(mistake, Stage.CONTAINED) == [
        "no containment action has been taken yet"
    ]

    response = api.post(f"/api/v1/mistakes/{mistake.pk}/containment", _check())

    assert response.status_code == 201, response.content
    action = response.json()
    assert action["status"] == "taken"
    assert action["taken_by"] == "bo"
    assert action["rollback"] == "Resume the run in the billing console"
    assert stages.unmet_requirements(mistake, Stage.CONTAINED) == []
    moved = api.post(f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "contained"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["contained_at"] is not None
    texts = list(mistake.timeline.values_list("text", flat=True))
    assert "Contained: Paused the invoice run" in texts


def test_without_a_containment_moving_on_needs_a_reason(api_as, responder, mistake):
    response = api_as(responder).post(
        f"/api/v1/mistakes/{mistake.pk}/stage", {"stage": "contained"}
    )
    assert response.status_code == 409
    assert "no containment action has been taken yet" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"could_harm": ""}, "could_harm"),
        ({"rollback": ""}, "rollback"),
        ({"agreed_by": "  "}, "agreed_by"),
        ({"what": ""}, "what"),
        ({"remove_by": "2020-01-01T00:00:00Z"}, "remove_by"),
        ({"taken_at": "2999-01-01T00:00:00Z"}, "taken_at"),
        ({"remove_by": "soon"}, "remove_by"),
        ({"reversible": "perhaps"}, "reversible"),
    ],
)
def test_an_unanswered_do_no_harm_check_records_nothing(api_as, responder, mistake, change, field):
    response = api_as(responder).post(
        f"/api/v1/mistakes/{mistake.pk}/containment", _check(**change)
    )
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not ContainmentAction.objects.exists()
    assert not mistake.timeline.exclude(kind="reported").exists()


def test_what_cannot_be_undone_needs_another_persons_approval(api_as, responder, manager, mistake):
    author, approver = api_as(responder), api_as(manager)
    base = f"/api/v1/mistakes/{mistake.pk}/containment"
    proposed = author.post(
        base,
        _check(what="Deleted the queued invoice runs", reversible=False, rollback=""),
    )
    assert proposed.status_code == 201, proposed.content
    action_id = proposed.json()["id"]
    assert proposed.json()["status"] == "proposed"
    assert stages.unmet_requirements(mistake, Stage.CONTAINED)

    early = author.post(f"{base}/{action_id}/take")
    assert early.status_code == 409
    assert "approve" in early.json()["detail"]

    own = author.post(f"{base}/{action_id}/approve")
    assert own.status_code == 403
    assert "other than its author" in own.json()["detail"]
    assert ContainmentAction.objects.get(pk=action_id).status == ActionStatus.PROPOSED

    approved = approver.post(f"{base}/{action_id}/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["approved_by"] == "ada"
    again = approver.post(f"{base}/{action_id}/approve")
    assert again.status_code == 409

    taken = author.post(f"{base}/{action_id}/take")
    assert taken.status_code == 200, taken.content
    assert taken.json()["status"] == "taken"
    assert stages.unmet_requirements(mistake, Stage.CONTAINED) == []


def test_unknown_actions_and_other_peoples_mistakes_are_refused(
    api_as, responder, outsider, reporter, mistake
):
    base = f"/api/v1/mistakes/{mistake.pk}/containment"
    assert api_as(responder).post(f"{base}/999/approve").status_code == 404
    assert api_as(outsider).post(base, _check()).status_code == 403
    assert api_as(outsider).get(base).status_code == 200  # an open mistake: everyone may read

    from ownup.reporting import services as reporting

    hidden = reporting.report(
        {"title": "Salary sheet shared", "confidentiality": "restricted"}, reporter=reporter
    )
    for path in ("containment", "support"):
        assert api_as(outsider).get(f"/api/v1/mistakes/{hidden.pk}/{path}").status_code == 404
    assert (
        api_as(outsider).post(f"/api/v1/mistakes/{hidden.pk}/containment", _check()).status_code
        == 404
    )


def test_a_containment_left_in_place_after_the_fix_is_flagged(api_as, client, responder, mistake):
    api = api_as(responder)
    base = f"/api/v1/mistakes/{mistake.pk}/containment"
    action_id = api.post(base, _check()).json()["id"]
    assert api.get(base).json()["still_in_place_after_fix"] is False

    stages.move(mistake, Stage.FIXED, actor=responder, reason="fixed in the same hour")

    body = api.get(base).json()
    assert body["still_in_place_after_fix"] is True
    assert body["actions"][0]["left_after_fix"] is True
    client.force_login(responder)
    page = client.get(mistake.get_absolute_url()).content.decode()
    assert "Still in place although the mistake is fixed" in page

    assert api.post(f"{base}/{action_id}/remove").status_code == 200
    assert api.get(base).json()["still_in_place_after_fix"] is False
    assert api.post(f"{base}/{action_id}/remove").status_code == 409


def test_an_action_past_its_removal_date_is_flagged(responder, mistake, time_machine):
    action = services.record_action(
        mistake,
        actor=responder,
        what="Paused the run",
        could_harm="Late invoices",
        reversible=True,
        rollback="Resume it",
        agreed_by="Ada",
        remove_by=timezone.now() + timedelta(hours=2),
    )
    assert not action.overdue_for_removal
    time_machine.move_to(timezone.now() + timedelta(hours=3))
    assert action.overdue_for_removal


def test_customer_care_is_recorded_apart(api_as, responder, mistake):
    api = api_as(responder)
    response = api.post(
        f"/api/v1/mistakes/{mistake.pk}/customer-care",
        {"text": "Called the five largest customers to apologise"},
    )
    assert response.status_code == 201, response.content
    body = api.get(f"/api/v1/mistakes/{mistake.pk}/containment").json()
    assert [c["text"] for c in body["customer_care"]] == [
        "Called the five largest customers to apologise"
    ]
    assert body["actions"] == []
    empty = api.post(f"/api/v1/mistakes/{mistake.pk}/customer-care", {"text": " "})
    assert empty.status_code == 422
    assert "text" in empty.json()["errors"]


def test_support_is_seen_only_by_managers_and_the_reporter(
    api_as, client, manager, responder, reporter, mistake
):
    offered = api_as(manager).post(
        f"/api/v1/mistakes/{mistake.pk}/support", {"note": "Talked it through over coffee"}
    )
    assert offered.status_code == 201, offered.content
    assert offered.json()["offered_by"] == "ada"

    for who in (manager, reporter):
        body = api_as(who).get(f"/api/v1/mistakes/{mistake.pk}/containment").json()
        assert [s["note"] for s in body["support"]] == ["Talked it through over coffee"]
    assert (
        api_as(responder).get(f"/api/v1/mistakes/{mistake.pk}/containment").json()["support"]
        is None
    )
    assert api_as(responder).get(f"/api/v1/mistakes/{mistake.pk}/support").status_code == 403
    refused = api_as(responder).post(f"/api/v1/mistakes/{mistake.pk}/support", {"note": "x"})
    assert refused.status_code == 403
    assert SupportStep.objects.count() == 1
    assert "coffee" not in " ".join(mistake.timeline.values_list("text", flat=True))

    client.force_login(responder)
    assert "Talked it through" not in client.get(mistake.get_absolute_url()).content.decode()
    client.force_login(reporter)
    assert "Talked it through" in client.get(mistake.get_absolute_url()).content.decode()


def test_the_page_records_an_action_in_place_and_shows_errors_at_the_field(
    client, responder, mistake
):
    client.force_login(responder)
    page = client.get(mistake.get_absolute_url()).content.decode()
    # A choice of two is a group with its question, each answer beside its button.
    assert '<legend>Can it be undone? <span class="req"' in page
    url = f"/mistakes/{mistake.pk}/containment/"
    form = {
        "what": "Paused the run",
        "could_harm": "",
        "reversible": "yes",
        "rollback": "Resume it",
        "agreed_by": "Ada",
        "remove_by": (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    bad = client.post(url, form, headers={"HX-Request": "true"})
    assert bad.status_code == 200
    assert 'id="field-could_harm"' in bad.content.decode()
    assert "field invalid" in bad.content.decode()
    assert not ContainmentAction.objects.exists()

    good = client.post(url, {**form, "could_harm": "Late invoices"}, headers={"HX-Request": "true"})
    assert good.status_code == 204
    assert good["HX-Refresh"] == "true"
    assert ContainmentAction.objects.get().status == ActionStatus.TAKEN

    plain = client.post(url, {**form, "what": ""})
    assert plain.status_code == 302
    assert ContainmentAction.objects.count() == 1


def test_without_htmx_the_message_names_the_problem(client, responder, mistake):
    client.force_login(responder)
    response = client.post(
        f"/mistakes/{mistake.pk}/containment/",
        {
            "what": "Paused the run",
            "could_harm": "x",
            "reversible": "yes",
            "rollback": "y",
            "agreed_by": "Ada",
            "remove_by": "2020-01-01T09:00",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Remove by: It should be removed after it was put in place." in page
    assert not ContainmentAction.objects.exists()


def test_a_null_character_is_refused_not_a_server_error(api_as, responder, mistake):
    api = api_as(responder)
    response = api.post(f"/api/v1/mistakes/{mistake.pk}/containment", _check(what="a\x00b"))
    assert 400 <= response.status_code < 500
    care = api.post(f"/api/v1/mistakes/{mistake.pk}/customer-care", {"text": "\x00"})
    assert 400 <= care.status_code < 500
    with pytest.raises(InvalidInput) as refused:  # the CLI's way in: the services themselves
        services.record_customer_care(mistake, actor=responder, text="a\x00b")
    assert "text" in refused.value.errors
    assert not ContainmentAction.objects.exists()


def test_a_mistake_moved_on_without_a_containment_says_so_and_keeps_its_form_folded(
    client, responder, mistake
):
    client.force_login(responder)
    reported = client.get(mistake.get_absolute_url()).content.decode()
    assert "No containment yet. Stop the harm first" in reported
    assert '<details class="more" open>' in reported  # the first thing to do

    stages.move(mistake, Stage.CONTAINED, actor=responder, reason="nothing had reached anyone")

    moved_on = client.get(mistake.get_absolute_url()).content.decode()
    assert "No containment action was recorded." in moved_on
    assert "No containment yet" not in moved_on
    assert '<details class="more" open>' not in moved_on


def _moment(text):
    return datetime.fromisoformat(text)


def test_times_without_a_zone_are_read_in_the_organisations_zone(
    api_as, responder, mistake, settings
):
    settings.TIME_ZONE = "Europe/Amsterdam"
    api = api_as(responder)
    base = f"/api/v1/mistakes/{mistake.pk}"

    taken = api.post(
        f"{base}/containment",
        _check(taken_at="2026-01-05T09:00:00", remove_by="2999-12-31T00:00:00"),
    )
    care = api.post(f"{base}/customer-care", {"text": "Called them", "at": "2026-01-05T09:00:00"})
    proposed = api.post(f"{base}/containment", _check(reversible=False))
    approved = api_as(mistake.reporter).post(f"{base}/containment/{proposed.json()['id']}/approve")
    late = api.post(
        f"{base}/containment/{proposed.json()['id']}/take", {"taken_at": "2999-01-01T00:00:00"}
    )

    assert taken.status_code == 201, taken.content
    assert _moment(taken.json()["taken_at"]) == _moment("2026-01-05T08:00:00Z")
    assert _moment(taken.json()["remove_by"]) == _moment("2999-12-30T23:00:00Z")
    assert care.status_code == 201, care.content
    assert _moment(care.json()["at"]) == _moment("2026-01-05T08:00:00Z")
    assert approved.status_code == 200, approved.content
    assert late.status_code == 422
    assert "future" in late.json()["errors"]["taken_at"][0]
