"""ownup user / team / token print the names people gave as they gave them, brackets included."""

import json

import pytest
from django.contrib.auth.models import User
from typer.testing import CliRunner

from ownup.cli import get_app


@pytest.fixture
def ownup(db):
    runner = CliRunner()
    return lambda *args: runner.invoke(get_app(), list(args))


def test_people_teams_and_tokens_print_square_brackets_as_typed(ownup):
    assert ownup("user", "create", "ada", "--name", "Ada [x] [/]", "--admin").exit_code == 0
    people = ownup("user", "list")
    assert people.exit_code == 0, people.output
    assert "Ada [x] [/]" in people.output

    created = ownup("team", "create", "[bold]Ops[/] [x]")
    assert created.exit_code == 0, created.output
    assert "Created team [bold]Ops[/] [x] (boldops-x)." in created.output
    joined = ownup("team", "add", "boldops-x", "ada")
    assert "ada is a reporter of [bold]Ops[/] [x]." in joined.output
    teams = ownup("team", "list")
    assert teams.exit_code == 0, teams.output
    assert "[bold]Ops[/] [x]" in teams.output

    assert ownup("token", "create", "ada", "--name", "[red]deploy[/]").exit_code == 0
    tokens = ownup("token", "list")
    assert tokens.exit_code == 0, tokens.output
    assert "[red]deploy[/]" in tokens.output


def _refused(result, message):
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"error: {message}"


def test_people_teams_and_others_tokens_are_managed_by_admins_only(ownup, billing):
    from ownup.organisation.models import ApiToken, Membership

    assert ownup("user", "create", "ada", "--admin").exit_code == 0
    assert ownup("user", "create", "zed").exit_code == 0
    as_zed = lambda *args: ownup("-u", "zed", *args)  # noqa: E731

    _refused(as_zed("user", "create", "evil", "--admin"), "only admins create users")
    _refused(
        as_zed("team", "add", "billing", "zed", "--role", "manager"), "only admins manage teams"
    )
    _refused(as_zed("team", "create", "Ops"), "only admins manage teams")
    _refused(as_zed("team", "chat", "billing", ""), "only admins manage teams")
    _refused(as_zed("token", "create", "ada"), "only admins create tokens for other people")
    assert not User.objects.filter(username="evil").exists()
    assert not Membership.objects.filter(user__username="zed").exists()
    assert not ApiToken.objects.filter(user__username="ada").exists()

    # The plain commands act as the first admin, and may do all of it.
    assert ownup("token", "create", "ada").exit_code == 0
    assert ApiToken.objects.filter(user__username="ada").exists()
    assert ownup("team", "add", "billing", "zed").exit_code == 0


def test_a_person_creates_lists_and_revokes_their_own_tokens_only(ownup):
    from ownup.organisation.models import ApiToken

    ownup("user", "create", "ada", "--admin")
    ownup("user", "create", "zed")
    assert ownup("token", "create", "ada", "--name", "adas").exit_code == 0
    made = ownup("-u", "zed", "token", "create", "zed", "--name", "zeds")
    assert made.exit_code == 0, made.output
    zeds = ApiToken.objects.get(name="zeds")
    adas = ApiToken.objects.get(name="adas")

    listed = ownup("-u", "zed", "token", "list", "--json")
    assert [row["name"] for row in json.loads(listed.output)] == ["zeds"]
    assert len(json.loads(ownup("token", "list", "--json").output)) == 2

    _refused(
        ownup("-u", "zed", "token", "revoke", str(adas.pk)),
        "only admins revoke other people's tokens",
    )
    assert ApiToken.objects.filter(pk=adas.pk).exists()
    assert ownup("-u", "zed", "token", "revoke", str(zeds.pk)).exit_code == 0
    assert not ApiToken.objects.filter(pk=zeds.pk).exists()


def test_token_list_prints_times_as_the_rest_of_the_command_does(ownup):
    import re

    from django.utils import timezone

    from ownup.organisation.models import ApiToken

    ownup("user", "create", "ada", "--admin")
    ownup("token", "create", "ada")
    used = timezone.now().replace(year=2026, month=3, day=1, hour=14, minute=30, second=5)
    ApiToken.objects.update(last_used_at=used)
    listed = ownup("token", "list")
    assert listed.exit_code == 0, listed.output
    assert timezone.localtime(used).strftime("%Y-%m-%d %H:%M") in listed.output
    assert not re.search(r"\d:\d\d:\d\d|\+00:00", listed.output)
