"""Options scored on weighted criteria, the ranking, and the choice with its history."""

import pytest

from ownup.decisions import services
from ownup.decisions.models import Criterion, Decision, Option, Score
from ownup.reporting import stages
from ownup.reporting.models import Stage
from ownup.reporting.services import InvalidInput, NotFound

BEST = {"effort": 1, "risk": 1, "time": 1, "cost": 1, "customer_impact": 5, "reversibility": 5}
WORST = {"effort": 5, "risk": 5, "time": 5, "cost": 5, "customer_impact": 1, "reversibility": 1}


def _add(api, mistake, title, strength="strong", scores=None):
    body = {"title": title, "strength": strength}
    if scores is not None:
        body["scores"] = scores
    return api.post(f"/api/v1/mistakes/{mistake.pk}/options", body)


def test_the_default_criteria_say_which_way_is_better(api_as, responder):
    criteria = {c["key"]: c for c in api_as(responder).get("/api/v1/criteria").json()}
    assert list(criteria) == ["effort", "risk", "time", "cost", "customer_impact", "reversibility"]
    assert [k for k, c in criteria.items() if c["lower_is_better"]] == [
        "effort",
        "risk",
        "time",
        "cost",
    ]


def test_ranking_turns_lower_is_better_round_and_weighs(api_as, responder, mistake):
    api = api_as(responder)
    assert _add(api, mistake, "Worst of all", scores=WORST).status_code == 201
    assert _add(api, mistake, "Best of all", scores=BEST).status_code == 201
    assert _add(api, mistake, "Not scored yet").status_code == 201
    # Only risk (weight 3, lower is better) and customer impact (weight 3): 2 → 0.75, 3 → 0.5.
    half = _add(api, mistake, "Half way", scores={"risk": 2, "customer_impact": 3})
    assert half.status_code == 201, half.content

    ranked = api.get(f"/api/v1/mistakes/{mistake.pk}/options").json()

    assert [(o["rank"], o["title"], o["total"]) for o in ranked] == [
        (1, "Best of all", 100.0),
        (2, "Half way", 62.5),
        (3, "Worst of all", 0.0),
        (4, "Not scored yet", None),
    ]
    assert ranked[1]["scored"] == 2
    assert ranked[1]["complete"] is False


def test_weights_change_the_ranking(api_as, responder, admin_user, mistake):
    api = api_as(responder)
    cheap = _add(api, mistake, "Cheap", scores={"cost": 1, "customer_impact": 2}).json()
    helpful = _add(api, mistake, "Helpful", scores={"cost": 4, "customer_impact": 5}).json()
    first = api.get(f"/api/v1/mistakes/{mistake.pk}/options").json()[0]
    assert first["id"] == helpful["id"]

    changed = api_as(admin_user).patch("/api/v1/criteria/cost", {"weight": 20})
    assert changed.status_code == 200, changed.content
    assert changed.json()["weight"] == 20
    first = api.get(f"/api/v1/mistakes/{mistake.pk}/options").json()[0]
    assert first["id"] == cheap["id"]


@pytest.mark.parametrize("weight", [-1, 101, "heavy"])
def test_a_bad_weight_is_refused(api_as, admin_user, weight):
    response = api_as(admin_user).patch("/api/v1/criteria/risk", {"weight": weight})
    assert response.status_code == 422, response.content
    assert "weight" in response.json()["errors"]
    assert Criterion.objects.get(key="risk").weight == 3


def test_only_admins_change_weights(api_as, responder):
    response = api_as(responder).patch("/api/v1/criteria/risk", {"weight": 5})
    assert response.status_code == 403
    assert api_as(responder).patch("/api/v1/criteria/luck", {"weight": 5}).status_code == 403


def test_an_unknown_criterion_is_not_found(api_as, admin_user):
    response = api_as(admin_user).patch("/api/v1/criteria/luck", {"weight": 5})
    assert response.status_code == 404
    assert "effort" in response.json()["detail"]


def test_duplicate_titles_are_refused_whatever_their_case(api_as, responder, mistake):
    api = api_as(responder)
    assert _add(api, mistake, "Check the price list").status_code == 201
    again = _add(api, mistake, "  check the PRICE list ")
    assert again.status_code == 422
    assert "already has an option" in again.json()["errors"]["title"][0]
    assert Option.objects.count() == 1


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({"risk": 6}, "risk"),
        ({"risk": 0}, "risk"),
        ({"risk": -1}, "risk"),
        ({"risk": "low"}, "risk"),
        ({"risk": 2.5}, "risk"),
        ({"luck": 3}, "luck"),
    ],
)
def test_a_bad_score_writes_nothing(api_as, responder, mistake, scores, field):
    api = api_as(responder)
    option = _add(api, mistake, "Check the price list", scores={"effort": 2}).json()
    response = api.patch(
        f"/api/v1/mistakes/{mistake.pk}/options/{option['id']}/scores",
        {"scores": {"cost": 1, **scores}},
    )
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert list(Score.objects.values_list("criterion__key", "value")) == [("effort", 2)]


def test_a_bad_score_on_a_new_option_adds_no_option(api_as, responder, mistake):
    response = _add(api_as(responder), mistake, "Check it", scores={"risk": 9})
    assert response.status_code == 422
    assert not Option.objects.exists()


def test_scoring_keeps_the_other_scores(api_as, responder, mistake):
    api = api_as(responder)
    option = _add(api, mistake, "Check the price list", scores={"effort": 2}).json()
    response = api.patch(
        f"/api/v1/mistakes/{mistake.pk}/options/{option['id']}/scores", {"scores": {"risk": 1}}
    )
    assert response.status_code == 200, response.content
    assert response.json()["scores"] == {"effort": 2, "risk": 1}


def test_unknown_options_are_refused(api_as, responder, reporter, mistake):
    api = api_as(responder)
    path = f"/api/v1/mistakes/{mistake.pk}/options/999/scores"
    assert api.patch(path, {"scores": {"risk": 1}}).status_code == 404
    chosen = api.post(
        f"/api/v1/mistakes/{mistake.pk}/decision", {"option_id": 999, "rationale": "Because"}
    )
    assert chosen.status_code == 422
    assert "option" in chosen.json()["errors"]

    from ownup.reporting import services as reporting

    other = reporting.report({"title": "Another mistake", "team": "billing"}, reporter=reporter)
    elsewhere = _add(api, other, "Elsewhere").json()
    across = api.post(
        f"/api/v1/mistakes/{mistake.pk}/decision",
        {"option_id": elsewhere["id"], "rationale": "Because"},
    )
    assert across.status_code == 422
    assert not Decision.objects.exists()


def test_a_decision_needs_a_reason(api_as, responder, mistake):
    api = api_as(responder)
    option = _add(api, mistake, "Check the price list").json()
    response = api.post(
        f"/api/v1/mistakes/{mistake.pk}/decision", {"option_id": option["id"], "rationale": " "}
    )
    assert response.status_code == 422
    assert "rationale" in response.json()["errors"]


def test_revisiting_keeps_the_history_and_the_latest_is_current(api_as, responder, mistake):
    api = api_as(responder)
    meeting = _add(api, mistake, "Review at the meeting", "medium").json()
    check = _add(api, mistake, "The run checks the price list", "strong").json()
    assert stages.unmet_requirements(mistake, Stage.DECIDED) == [
        "no option for the fix has been chosen yet"
    ]
    path = f"/api/v1/mistakes/{mistake.pk}/decision"
    first = api.post(path, {"option_id": meeting["id"], "rationale": "Quick to start"})
    assert first.status_code == 201, first.content
    second = api.post(path, {"option_id": check["id"], "rationale": "Does not rely on memory"})
    assert second.status_code == 201

    body = api.get(path).json()
    assert body["current"]["option"] == "The run checks the price list"
    assert [d["option"] for d in body["history"]] == [
        "Review at the meeting",
        "The run checks the price list",
    ]
    assert body["warning"] is None
    assert stages.unmet_requirements(mistake, Stage.DECIDED) == []
    assert "Revisited the decision" in " ".join(mistake.timeline.values_list("text", flat=True))


def test_a_weak_choice_is_warned_about(api_as, client, responder, mistake):
    api = api_as(responder)
    reminder = _add(api, mistake, "Remind people to check the prices", "weak").json()
    api.post(
        f"/api/v1/mistakes/{mistake.pk}/decision",
        {"option_id": reminder["id"], "rationale": "Cheapest"},
    )
    assert api.get(f"/api/v1/mistakes/{mistake.pk}/decision").json()["warning"] == (
        services.WEAK_WARNING
    )
    client.force_login(responder)
    assert "weak actions rarely" in client.get(mistake.get_absolute_url()).content.decode()


def test_a_stronger_option_ranked_lower_is_pointed_out(api_as, client, responder, mistake):
    api = api_as(responder)
    _add(api, mistake, "A checklist for the price run", "medium", scores=BEST)
    _add(api, mistake, "The run refuses an old price list", "strong", scores=WORST)
    _add(api, mistake, "Remind people", "weak", scores=BEST)
    client.force_login(responder)
    page = client.get(mistake.get_absolute_url()).content.decode()
    warning = page.split('<p class="warn">“The run refuses')[1].split("</p>")[0]
    assert warning.startswith(
        " an old price list” (strong) is stronger than the first-ranked option,"
        " “A checklist for the price run” (medium)."
    )
    assert "Remind people" not in warning

    strong = Option.objects.get(title="The run refuses an old price list")
    api.post(f"/api/v1/mistakes/{mistake.pk}/decision", {"option_id": strong.pk, "rationale": "x"})
    assert "is stronger than" not in client.get(mistake.get_absolute_url()).content.decode()


def test_outsiders_may_read_but_not_add(api_as, outsider, reporter, mistake):
    api = api_as(outsider)
    assert api.get(f"/api/v1/mistakes/{mistake.pk}/options").status_code == 200
    assert _add(api, mistake, "Mine").status_code == 403

    from ownup.reporting import services as reporting

    hidden = reporting.report(
        {"title": "Salary sheet shared", "confidentiality": "restricted"}, reporter=reporter
    )
    for path in ("options", "decision"):
        assert api.get(f"/api/v1/mistakes/{hidden.pk}/{path}").status_code == 404


def test_the_admin_edits_the_weights(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/decisions/criterion/")
    assert page.status_code == 200
    assert "Customer impact" in page.content.decode()


def test_a_null_character_is_refused_not_a_server_error(api_as, responder, admin_user, mistake):
    api = api_as(responder)
    assert 400 <= _add(api, mistake, "Check\x00it").status_code < 500
    path = f"/api/v1/mistakes/{mistake.pk}/decision"
    assert 400 <= api.post(path, {"option_id": 1, "rationale": "\x00"}).status_code < 500
    assert (
        400 <= api_as(admin_user).patch("/api/v1/criteria/ri%00sk", {"weight": 2}).status_code < 500
    )
    with pytest.raises(NotFound):
        services.set_weight("ri\x00sk", 2, actor=admin_user)
    with pytest.raises(InvalidInput) as refused:  # the CLI's way in: the services themselves
        services.add_option(mistake, actor=responder, title="Check\x00it", strength="weak")
    assert "title" in refused.value.errors
    assert not Option.objects.exists()


def test_options_not_yet_scored_are_neither_ranked_nor_chosen_for_you(
    api_as, client, responder, mistake
):
    api = api_as(responder)
    _add(api, mistake, "A checklist for the price run", "medium")
    _add(api, mistake, "The run refuses an old price list", "strong")
    client.force_login(responder)
    page = client.get(mistake.get_absolute_url()).content.decode()
    assert 'title="Not scored yet"' in page
    assert '<option value="" selected>Choose an option</option>' in page
    assert "is stronger than" not in page  # nothing is first-ranked before a score

    _add(api, mistake, "Remind people", "weak", scores=BEST)
    page = client.get(mistake.get_absolute_url()).content.decode()
    assert "Choose an option" not in page
    assert "selected>1. Remind people</option>" in page
