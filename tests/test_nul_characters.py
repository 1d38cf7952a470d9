"""A NUL character anywhere in a request is refused with a clear answer, on every database."""

import pytest

from ownup.reporting.models import Mistake


@pytest.mark.parametrize(
    "path", ["/api/v1/mistakes?severity=a%00b", "/api/v1/mistakes?team%00=x", "/mistakes/?q=%00"]
)
def test_in_the_query_string(api_as, reporter, path):
    api = api_as(reporter)
    api.client.force_login(reporter)
    response = api.get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_in_a_json_body(api_as, reporter):
    response = api_as(reporter).request(
        "POST", "/api/v1/mistakes", '{"title": "ok", "tags": ["in\\u0000voices"]}'
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert not Mistake.objects.exists()


def test_in_a_form(client, reporter):
    client.force_login(reporter)
    response = client.post("/mistakes/report/", {"title": "ok", "severity": "lo\x00w"})
    assert response.status_code == 400
    assert not Mistake.objects.exists()


def test_in_a_cookie(client, reporter):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/mistakes/").status_code == 400
