"""The Told pages without a browser: the lead, who may tell, and the API's documentation."""

from django.test import Client

from ownup.communication.models import CommunicationLead, Message


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_lead_is_chosen_on_the_page(mistake, responder, manager):
    page = _client(responder).post(
        f"/mistakes/{mistake.pk}/communication-lead/", {"lead": "ada"}, follow=True
    )
    assert "leads communication" in page.content.decode()
    assert CommunicationLead.objects.get(mistake=mistake).person == manager
    refused = _client(responder).post(
        f"/mistakes/{mistake.pk}/communication-lead/", {"lead": "ghost"}, follow=True
    )
    assert "There is no active user named &#x27;ghost&#x27;" in refused.content.decode()


def test_someone_who_may_not_act_is_told_so_and_nothing_is_sent(mistake, outsider):
    client = _client(outsider)
    page = client.get(f"/mistakes/{mistake.pk}/tell/?audience=team", follow=True)
    assert "Only the mistake&#x27;s people" in page.content.decode()
    client.post(
        f"/mistakes/{mistake.pk}/tell/",
        {"audience": "team", "subject": "x", "body": "y", "recipients": "a@b.example"},
    )
    assert not Message.objects.exists()


def test_an_unknown_audience_on_the_page_says_which_exist(mistake, responder):
    page = _client(responder).get(f"/mistakes/{mistake.pk}/tell/?audience=press", follow=True)
    assert "There is no audience &#x27;press&#x27;" in page.content.decode()


def test_the_api_documents_fixing_and_telling(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/mistakes/{mistake_id}/actions",
        "/api/v1/actions/{action_id}/done",
        "/api/v1/actions/{action_id}/verify",
        "/api/v1/mistakes/{mistake_id}/draft",
        "/api/v1/mistakes/{mistake_id}/messages",
        "/api/v1/messages/{message_id}/remind",
        "/api/v1/mistakes/{mistake_id}/language-check",
    ):
        assert path in paths, path
