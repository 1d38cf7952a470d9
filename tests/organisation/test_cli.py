"""ownup user / team / token print the names people gave as they gave them, brackets included."""

import pytest
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
