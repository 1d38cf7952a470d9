"""ownup search prints what people typed as they typed it, square brackets included."""

import pytest
from typer.testing import CliRunner

from ownup.cli import get_app


@pytest.fixture
def ownup_cli():
    runner = CliRunner()
    return lambda *args: runner.invoke(get_app(), list(args))


def test_search_prints_square_brackets_and_backslashes_as_typed(
    report, reporter, admin_user, ownup_cli
):
    report("[x] [bold]prices[/] in C:\\prices\\", by=reporter)

    found = ownup_cli("search", "prices")
    assert found.exit_code == 0, found.output
    assert "[x] [bold]prices[/] in C:\\prices\\ " in found.output

    nothing = ownup_cli("search", "[bold]payroll[/] [/]")
    assert nothing.exit_code == 0, nothing.output
    assert "Nothing found for '[bold]payroll[/] [/]'." in nothing.output
