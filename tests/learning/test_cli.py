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


def test_similar_lists_mistakes_like_one_with_what_fixed_them(
    report, reporter, outsider, admin_user, ownup_cli
):
    import json

    from ownup.reporting import stages
    from ownup.reporting.models import Stage

    earlier = report("Invoice run sent the March invoices with old prices", by=reporter)
    hidden = report("Invoice run sent the April invoices with old prices", by=reporter,
                    confidentiality="restricted")  # fmt: skip
    stages.move(earlier, Stage.FIXED, actor=reporter, reason="fixed on the call")
    new = report("Invoice run sent the May invoices with old prices", by=reporter)

    shown = ownup_cli("--user", outsider.username, "similar", str(new.pk))
    assert shown.exit_code == 0, shown.output
    assert (
        f"#{earlier.pk} Invoice run sent the March invoices with old prices  Fixed" in shown.output
    )
    assert f"#{hidden.pk} " not in shown.output
    listed = json.loads(
        ownup_cli("--user", outsider.username, "similar", str(new.pk), "--json").output
    )
    assert [hit["id"] for hit in listed] == [earlier.pk]

    alone = report("Payroll file shared with everyone", by=reporter)
    assert "Nothing like" in ownup_cli("similar", str(alone.pk)).output
    refused = ownup_cli("similar", "999")
    assert refused.exit_code == 1
    assert "no mistake #999 that you can see" in refused.output
