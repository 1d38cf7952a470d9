"""A NUL or another control character anywhere in a request is refused with a clear answer."""

import pytest

from ownup.containment import services as containment
from ownup.reporting import services
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


TERMINAL_COMMANDS = "api esc \u001b]0;pwned\u0007 \u001b[2J"


def test_other_control_characters_are_refused_naming_the_field(api_as, reporter):
    api = api_as(reporter)
    title = api.post("/api/v1/mistakes", {"title": TERMINAL_COMMANDS})
    tag = api.post("/api/v1/mistakes", {"title": "ok", "tags": ["bell\u0007"]})
    delete = api.post("/api/v1/mistakes", {"title": "ok", "description": "del\u007f"})

    assert title.status_code == 400
    assert title.json()["detail"] == (
        "title holds a control character (\\u001b), which no text may contain."
    )
    assert tag.json()["detail"].startswith("tags holds a control character (\\u0007)")
    assert delete.json()["detail"].startswith("description holds a control character (\\u007f)")
    assert not Mistake.objects.exists()
    kept = api.post("/api/v1/mistakes", {"title": "ok", "description": "a\tb\r\nc"})
    assert kept.status_code == 201, kept.content


def test_other_control_characters_are_refused_from_pages_and_the_cli(client, reporter):
    client.force_login(reporter)
    page = client.post("/mistakes/report/", {"title": TERMINAL_COMMANDS})
    query = client.get("/mistakes/?q=%1b[2J")

    assert page.status_code == 400
    assert "title holds a control character (\\u001b)" in page.content.decode()
    assert query.status_code == 400
    # The CLI's way in: the services themselves.
    with pytest.raises(services.InvalidInput) as refused:
        services.report({"title": TERMINAL_COMMANDS, "tags": ["a\x1bb"]}, reporter=reporter)
    assert refused.value.errors == {
        "title": ["Remove a control character (\\u001b) from it."],
        "tags": ["Remove a control character (\\u001b) from it."],
    }
    mistake = services.report({"title": "ok"}, reporter=reporter)
    with pytest.raises(services.InvalidInput) as refused:
        containment.record_customer_care(mistake, actor=reporter, text="rang \x07")
    assert refused.value.errors == {"text": ["Remove a control character (\\u0007) from it."]}
    assert Mistake.objects.count() == 1


def test_a_command_line_argument_with_a_control_character_is_refused_naming_it(reporter):
    from typer.testing import CliRunner

    from ownup.cli import get_app

    def run(*args: str) -> tuple[int, str]:
        done = CliRunner().invoke(get_app(), ["--user", "cy", *args])
        return done.exit_code, done.output.strip()

    assert run("report", TERMINAL_COMMANDS) == (
        1,
        "error: The argument 'api esc ' holds a control character (\\u001b), "
        "which no text may contain.",
    )
    assert run("report", "ok", "--what", "bell\x07") == (
        1,
        "error: --what holds a control character (\\u0007), which no text may contain.",
    )
    assert run("report", "ok", "--tag=a\x1bb")[1].startswith("error: --tag holds")
    assert run("note", "1", "\x1b") == (
        1,
        "error: An argument holds a control character (\\u001b), which no text may contain.",
    )
    assert not Mistake.objects.exists()
    assert run("report", "ok", "--what", "two\tcolumns")[0] == 0
