"""Drafts from the record, proposed recipients, bad input, the lead, and the blame check."""

import pytest
from django.test import Client

from ownup.communication.models import Audience, BlameTerm, Message
from ownup.fixes import services as fixes
from ownup.reporting import services as reporting


def test_a_draft_tells_the_record_and_proposes_the_people_involved(
    api_as, mistake, responder, reporter, manager
):
    fixes.add_action(
        mistake,
        {"title": "Load prices from the contract system", "owner": "ada", "due_date": "2099-01-31"},
        actor=responder,
    )
    response = api_as(responder).get(f"/api/v1/mistakes/{mistake.pk}/draft?audience=customers")
    assert response.status_code == 200, response.content
    draft = response.json()
    assert draft["subject"] == (
        "We made a mistake, and we are sorry: Sent the March invoices with last year's prices"
    )
    assert "we are sorry" in draft["body"]
    assert "The invoice run used the 2025 price list." in draft["body"]
    assert "- Load prices from the contract system (by 31 January 2099)" in draft["body"]
    assert draft["recipients"] == []  # customers are typed in, never guessed

    team = api_as(responder).get(f"/api/v1/mistakes/{mistake.pk}/draft?audience=team").json()
    assert sorted(team["recipients"]) == sorted(
        ["ada@example.com", "bo@example.com", "cy@example.com"]
    )
    leadership = (
        api_as(responder).get(f"/api/v1/mistakes/{mistake.pk}/draft?audience=leadership").json()
    )
    assert leadership["recipients"] == ["ada@example.com"]


def test_a_draft_says_what_was_done_at_once_until_the_fix_is_done(api_as, mistake, responder):
    from datetime import timedelta

    from django.utils import timezone

    from ownup.containment import services as containment

    later = timezone.now() + timedelta(days=3)

    def draft() -> str:
        url = f"/api/v1/mistakes/{mistake.pk}/draft?audience=customers"
        return api_as(responder).get(url).json()["body"]

    assert "[What was done to stop the harm and put it right.]" in draft()
    containment.record_action(
        mistake, actor=responder, what="Paused the invoice run", could_harm="Late invoices",
        reversible=True, rollback="Start the run again", agreed_by="ada", remove_by=later,
    )  # fmt: skip
    containment.record_action(  # cannot be undone: waits for an approval, not yet done
        mistake, actor=responder, what="Proposed only", could_harm="Nothing",
        reversible=False, agreed_by="ada", remove_by=later,
    )  # fmt: skip
    containment.record_customer_care(
        mistake, actor=responder, text="Called the customers who were overcharged"
    )
    body = draft()
    assert "- Paused the invoice run\n- Called the customers who were overcharged" in body
    assert "Proposed only" not in body
    assert "[What was done to stop the harm" not in body


def test_an_organisation_edits_its_templates_and_adds_audiences(api_as, mistake, responder):
    Audience.objects.create(
        key="board",
        name="The board",
        subject_template="For the board: {{ mistake.title|upper }}",
        body_template="Severity {{ mistake.severity }}. {{ what_happened }}",
    )
    draft = api_as(responder).get(f"/api/v1/mistakes/{mistake.pk}/draft?audience=board").json()
    assert draft["subject"] == "For the board: SENT THE MARCH INVOICES WITH LAST YEAR'S PRICES"
    assert draft["body"].startswith("Severity low. The invoice run used")
    keys = [a["key"] for a in api_as(responder).get("/api/v1/audiences").json()]
    assert keys[:5] == ["customers", "customers-results", "team", "leadership", "regulator"]
    assert "board" in keys


def test_an_unknown_audience_is_named(api_as, mistake, responder):
    response = api_as(responder).get(f"/api/v1/mistakes/{mistake.pk}/draft?audience=press")
    assert response.status_code == 422
    refused = response.json()["errors"]["audience"][0]
    assert "choose one of customers, customers-results, team" in refused


@pytest.mark.parametrize(
    ("recipients", "words"),
    [
        (["not-an-address"], "not a valid email address"),
        (["bo@"], "not a valid email address"),
        (["foo://hooks.example/abc"], "foo:// is not a kind of address Apprise knows"),
        (["slack://"], "not a complete slack address"),
        ([], "at least one"),
    ],
)
def test_bad_recipients_are_refused_naming_each(api_as, mistake, responder, recipients, words):
    response = api_as(responder).post(
        f"/api/v1/mistakes/{mistake.pk}/messages",
        {"audience": "team", "subject": "Update", "body": "Text", "recipients": recipients},
    )
    assert response.status_code == 422, response.content
    assert words in " ".join(response.json()["errors"]["recipients"])
    assert not Message.objects.exists()


def test_a_confidential_mistake_is_told_only_to_people_who_can_see_it(
    secret, api_as, reporter, responder, outsider
):
    api = api_as(responder)
    for recipients, words in [
        ([outsider.email], "not someone who can see"),
        (["someone@outside.example"], "not someone who can see"),
        (["json://127.0.0.1:9/hook"], "not on a chat channel"),
    ]:
        response = api.post(
            f"/api/v1/mistakes/{secret.pk}/messages",
            {"audience": "team", "subject": "Update", "body": "Text", "recipients": recipients},
        )
        assert response.status_code == 422
        assert words in " ".join(response.json()["errors"]["recipients"])
    draft = api.get(f"/api/v1/mistakes/{secret.pk}/draft?audience=team").json()
    assert outsider.email not in draft["recipients"]
    assert (
        api_as(outsider).get(f"/api/v1/mistakes/{secret.pk}/draft?audience=team").status_code == 404
    )
    ok = api.post(
        f"/api/v1/mistakes/{secret.pk}/messages",
        {"audience": "team", "subject": "Update", "body": "Text", "recipients": [reporter.email]},
    )
    assert ok.status_code == 201, ok.content


def test_one_communication_lead_per_mistake(api_as, mistake, responder, manager, outsider):
    api = api_as(responder)
    assert api.request(
        "PUT", f"/api/v1/mistakes/{mistake.pk}/communication-lead", {"lead": "bo"}
    ).json() == {"lead": "bo"}
    api.request("PUT", f"/api/v1/mistakes/{mistake.pk}/communication-lead", {"lead": "ada"})
    assert api.get(f"/api/v1/mistakes/{mistake.pk}/communication-lead").json() == {"lead": "ada"}
    refused = api.request(
        "PUT", f"/api/v1/mistakes/{mistake.pk}/communication-lead", {"lead": "ghost"}
    )
    assert refused.status_code == 422
    draft = api.get(f"/api/v1/mistakes/{mistake.pk}/draft?audience=customers").json()
    assert "leads our communication" in draft["body"]


def test_blaming_words_in_a_report_are_flagged_with_neutral_wording(api_as, reporter):
    blamed = reporting.report(
        {
            "title": "Sam failed to check the price list",
            "description": "A careless slip; he should have known the prices changed.",
        },
        reporter=reporter,
    )
    check = api_as(reporter).get(f"/api/v1/mistakes/{blamed.pk}/language-check").json()
    assert [(f["field"], f["phrase"]) for f in check["findings"]] == [
        ("title", "failed to"),
        ("description", "careless"),
        ("description", "should have known"),  # the longer phrase, not also "should have"
    ]
    assert all(f["suggestion"] for f in check["findings"])

    page = Client()
    page.force_login(reporter)
    html = page.get(blamed.get_absolute_url()).content.decode()
    assert "Words that may read as blame" in html
    assert "Say what happened, not who failed" in html


def test_the_word_list_is_the_organisations_to_edit(api_as, reporter):
    api = api_as(reporter)
    assert (
        api.post("/api/v1/language-check", {"text": "Ops goofed the rollout"}).json()["count"] == 0
    )
    BlameTerm.objects.create(phrase="goofed", suggestion="Describe the step that went wrong.")
    found = api.post("/api/v1/language-check", {"text": "Ops goofed the rollout"}).json()
    assert found["findings"][0]["suggestion"] == "Describe the step that went wrong."
    neutral = api.post(
        "/api/v1/language-check", {"text": "The invoice run used the old price list."}
    ).json()
    assert neutral == {"count": 0, "findings": []}


def test_the_admin_refuses_a_template_that_does_not_parse(admin_client):
    response = admin_client.post(
        "/admin/communication/audience/add/",
        {
            "key": "press",
            "name": "The press",
            "position": 50,
            "proposes": "nobody",
            "subject_template": "About {{ mistake.title }}",
            "body_template": "{% if why %}unfinished",
        },
    )
    assert response.status_code == 200
    assert "This template does not parse" in response.content.decode()
    assert not Audience.objects.filter(key="press").exists()


def test_the_customers_told_are_followed_up_with_the_results_once_the_fix_is_checked(
    api_as, client, mistake, responder
):
    from ownup.monitoring import services as monitoring
    from ownup.reporting import stages
    from ownup.reporting.models import Stage

    api = api_as(responder)
    told = ["Acme Ltd <ap@acme.example>", "json://127.0.0.1:9/acme-hook"]
    sent = api.post(
        f"/api/v1/mistakes/{mistake.pk}/messages",
        {"audience": "customers", "subject": "Sorry", "body": "Sorry.", "recipients": told},
    )
    assert sent.status_code == 201, sent.content
    first_told = Message.objects.get().sent_at
    action = fixes.add_action(
        mistake, {"title": "Prices come from the contract system", "owner": "bo",
                  "due_date": "2099-01-31"}, actor=responder)  # fmt: skip
    fixes.complete_action(action, "release 4.18", actor=responder)
    mistake = stages.move(mistake, Stage.FIXED, actor=responder, reason="decided on the call")
    monitoring.add_check(
        mistake,
        {"name": "Invoices match the contract prices", "kind": "http",
         "url": "http://127.0.0.1:9/", "window_days": 30},
        actor=responder,
    )  # fmt: skip
    client.force_login(responder)
    follow_up = "?audience=customers-results"
    assert (
        follow_up
        not in client.get(mistake.get_absolute_url())
        .content.decode()
        .split("Draft a message for")[0]
    )  # not asked for before the fix is checked

    stages.move(mistake, Stage.MONITORING, actor=responder, reason="told on the phone")
    page = client.get(mistake.get_absolute_url()).content.decode()
    assert "Affected customers were told and promised the results" in page
    assert follow_up in page.split("Draft a message for")[0]

    draft = api.get(f"/api/v1/mistakes/{mistake.pk}/draft{follow_up}").json()
    assert draft["recipients"] == told
    assert f"On {first_told:%-d %B %Y} we wrote to you" in draft["body"]
    assert "- Prices come from the contract system" in draft["body"]
    assert "- Invoices match the contract prices: we are checking it until" in draft["body"]

    body = draft["body"].replace(
        "[Why it happened, in plain words: the conditions, not a person.]", "The list had no date."
    )
    assert "[" not in body  # the only line the record could not fill in
    sent = api.post(
        f"/api/v1/mistakes/{mistake.pk}/messages",
        {"audience": "customers-results", "subject": draft["subject"], "body": body,
         "recipients": draft["recipients"]},
    )  # fmt: skip
    assert sent.status_code == 201, sent.content
    page = client.get(mistake.get_absolute_url()).content.decode()
    assert "promised the results" not in page


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("ownup.understanding.services", "people_to_involve"),
        ("ownup.understanding.services", "analysis_of"),
        ("ownup.containment.services", "containment_summary"),
        ("ownup.monitoring.services", "results_in_words"),
    ],
)
def test_every_stage_a_message_draws_on_provides_its_lookup(module, name):
    from importlib import import_module

    # Looked up by name so messages work without the other apps; with them, each must be there.
    assert callable(getattr(import_module(module), name, None))


def test_a_message_with_its_draft_s_placeholders_left_in_is_not_sent(api_as, mistake, responder):
    api = api_as(responder)
    body = api.get(f"/api/v1/mistakes/{mistake.pk}/draft?audience=customers").json()["body"]
    assert "[What we will do so it does not happen again.]" in body
    sent = api.post(
        f"/api/v1/mistakes/{mistake.pk}/messages",
        {
            "audience": "customers",
            "subject": "Sorry",
            "body": body,
            "recipients": ["a@customer.example"],
        },
    )
    assert sent.status_code == 422, sent.content
    assert "still in square brackets: [Why it happened" in sent.json()["errors"]["body"][0]
    assert not Message.objects.exists()
    # Brackets of the writer's own are theirs to send.
    sent = api.post(
        f"/api/v1/mistakes/{mistake.pk}/messages",
        {"audience": "customers", "subject": "Sorry", "body": "We [the billing team] erred.",
         "recipients": ["a@customer.example"]},
    )  # fmt: skip
    assert sent.status_code == 201, sent.content
