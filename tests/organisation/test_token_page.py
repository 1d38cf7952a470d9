"""A person makes and revokes their own API tokens on a page."""

import re

from django.test import Client

from ownup.organisation import services
from ownup.organisation.models import ApiToken


def test_a_person_makes_a_token_on_the_page_uses_it_and_revokes_it(client, reporter, responder):
    client.force_login(reporter)
    page = client.get("/account/tokens/").content.decode()
    assert "You have no token yet." in page
    assert 'href="/account/tokens/"' in page  # from the person's name in the header

    made = client.post("/account/tokens/", {"name": "  deploy   script "})
    assert made["Cache-Control"].startswith("max-age=0")
    [secret] = re.findall(r'<code class="secret">([^<]+)</code>', made.content.decode())
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (reporter, "deploy script")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/mistakes").status_code == 200
    assert secret not in client.get("/account/tokens/").content.decode()  # shown once

    _, others = services.issue_token(responder, "theirs")
    refused = client.post(
        f"/account/tokens/{ApiToken.objects.get(name='theirs').pk}/revoke/", follow=True
    )
    assert "you have no such token" in refused.content.decode()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {others}").get("/api/v1/mistakes").status_code == 200

    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/mistakes").status_code == 401


def test_a_token_name_too_long_is_refused_at_its_field(client, reporter):
    client.force_login(reporter)
    page = client.post("/account/tokens/", {"name": "x" * 101}).content.decode()
    assert "Keep the name under 100 characters." in page
    assert not ApiToken.objects.exists()
