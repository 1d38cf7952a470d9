"""ownup check prints check names and what a run found as typed, square brackets included."""

import pytest
from typer.testing import CliRunner


@pytest.fixture
def cli():
    from ownup.cli import get_app

    runner = CliRunner()
    return lambda *args: runner.invoke(get_app(), list(args))


def test_checks_print_square_brackets_as_typed(cli, admin_user, fixed_mistake, http_server):
    mistake = str(fixed_mistake.pk)
    name = "[x][bold][/]"
    added = cli("check", "add", mistake, name, "--url", http_server.url, "--text", "[/] ok")
    assert added.exit_code == 0, added.output
    assert f"for #{mistake}: {name} (" in added.output
    http_server.respond(200, "down")
    ran = cli("check", "run", mistake)
    assert ran.exit_code == 0, ran.output
    assert f"{name}: HTTP 200, but the page does not contain '[/] ok'" in " ".join(
        ran.output.split()
    )
    listed = cli("check", "list", mistake)
    assert listed.exit_code == 0, listed.output
    assert name in listed.output
