"""Pages that are not there, or not for this person, answer as the rest of the site does."""


def test_a_missing_or_hidden_mistake_is_a_page_of_the_site(client, reporter):
    client.force_login(reporter)
    missing = client.get("/mistakes/999999/")
    assert missing.status_code == 404
    page = missing.content.decode()
    assert "Nothing here" in page
    assert 'href="/mistakes/"' in page  # the way back, in the site's own header too
    assert 'href="/api/v1/docs"' in page


def test_the_api_docs_are_linked_only_for_people_signed_in(client, reporter):
    assert 'href="/api/v1/docs"' not in client.get("/login/").content.decode()
    client.force_login(reporter)
    assert 'href="/api/v1/docs"' in client.get("/mistakes/").content.decode()


def test_a_list_for_a_team_there_is_not_says_so_everywhere(client, reporter, ownup_cli, api_as):
    from ownup.reporting import services

    mistake = services.report({"title": "Sent the invoices twice"}, reporter=reporter)
    refused = ownup_cli("list", "--team", "bogus", user=reporter)
    assert refused.exit_code == 1
    assert refused.output.strip() == "error: --team: No team 'bogus'."
    answer = api_as(reporter).get("/api/v1/mistakes?team=bogus")
    assert answer.status_code == 422
    assert answer.json()["errors"]["team"] == ["No team 'bogus'."]
    client.force_login(reporter)
    page = client.get("/mistakes/?team=bogus").content.decode()
    assert "No team &#x27;bogus&#x27;: showing every team." in page
    assert mistake.title in page


def test_a_form_s_address_visited_leads_back_to_its_mistake(client, reporter):
    from ownup.reporting import services

    mistake = services.report({"title": "Sent the invoices twice"}, reporter=reporter)
    client.force_login(reporter)
    visited = client.get(f"/mistakes/{mistake.pk}/containment/")
    assert visited.status_code == 405
    assert visited["Allow"] == "POST"
    page = visited.content.decode()
    assert "This address takes a form" in page
    assert f'href="/mistakes/{mistake.pk}/"' in page
    api = client.get("/api/v1/mistakes/999999/stage")  # the API keeps its JSON
    assert api["Content-Type"].startswith("application/json")
