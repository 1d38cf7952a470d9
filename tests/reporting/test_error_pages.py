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
