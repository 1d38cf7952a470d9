"""CLI commands for effectiveness checks and closing: ``ownup check ...`` and ``ownup close``."""

from __future__ import annotations

from typing import Any

import typer
from django.utils import timezone
from rich.table import Table
from rich.text import Text

from ownup.cli import acting_user, console, fail, markup, print_json
from ownup.monitoring import services
from ownup.monitoring.models import CheckRun, Outcome
from ownup.monitoring.records import check_record, run_record
from ownup.reporting import services as reporting
from ownup.reporting.records import mistake_record

check_app = typer.Typer(
    help="Effectiveness checks: does the fix keep working?", no_args_is_help=True
)

OUTCOME_STYLE = {
    Outcome.PASSED: "green",
    Outcome.FAILED: "red",
    Outcome.WAITING: "yellow",
    Outcome.RUNNING: "dim",
}
MARKS = {Outcome.PASSED: "▪", Outcome.FAILED: "✗", Outcome.WAITING: "?", Outcome.RUNNING: "·"}


def _strip(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


@check_app.command("add")
def add(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    name: str = typer.Argument(..., help="What must hold, in words."),
    kind: str = typer.Option(
        "http",
        "--kind",
        "-k",
        help="http, metric, sql, checkin, recurrence or command (admins).",
    ),
    every: str = typer.Option("", help="How often: 15m, 2h, 1d."),
    cron: str = typer.Option("", help="A cron schedule instead, e.g. '0 9 * * 1'."),
    # 0 stands for "not given": the help says the default each takes instead of a 0.
    window: int = typer.Option(
        0, "--window", show_default=False, help="Days it must hold (default 30)."
    ),
    failures: int = typer.Option(
        0,
        "--failures",
        show_default=False,
        help="Failures in a row that reopen it (default 2, 1 for a recurrence watch).",
    ),
    baseline: str = typer.Option("", help="What it was before the fix."),
    url: str = typer.Option("", help="HTTP or metric: the URL to ask."),
    status: int = typer.Option(
        0, "--status", show_default=False, help="HTTP: the expected status (default 200)."
    ),
    text: str = typer.Option("", "--text", help="HTTP: text the page must contain."),
    json_path: str = typer.Option(
        "", "--json-path", help="HTTP or metric: a JSONPath into the JSON answer, e.g. $.ok."
    ),
    metric: str = typer.Option(
        "", help='Metric: a series of a /metrics page, e.g. errors_total{job="billing"}.'
    ),
    json_value: str = typer.Option("", "--json-value", help="HTTP: the value it must have."),
    timeout: float = typer.Option(
        0,
        show_default=False,
        help="HTTP, metric or command: seconds before giving up (default 5, 30 for a command).",
    ),
    command: str = typer.Option("", help="Command: the shell command to run."),
    exit_code: int = typer.Option(0, "--exit-code", help="Command: the expected exit code."),
    database: str = typer.Option("", help="SQL: a name from OWNUP_CHECK_DATABASES."),
    query: str = typer.Option("", help="SQL: one read-only SELECT giving one value."),
    operator: str = typer.Option("=", help="SQL or metric: = != < <= > >="),
    value: str = typer.Option("", help="SQL or metric: the value or threshold to compare with."),
    person: str = typer.Option("", help="Check-in: the username to ask."),
    question: str = typer.Option("", help="Check-in: the question."),
    grace: float = typer.Option(
        0, "--grace", show_default=False, help="Check-in: hours to answer (default 48)."
    ),
    threshold: float = typer.Option(
        0, show_default=False, help="Recurrence: text similarity threshold (default 0.3)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the new check as JSON."),
) -> None:
    """Agree an effectiveness check for a mistake."""
    user = acting_user()
    mistake = reporting.get_mistake(user, mistake_id)
    given = {
        "kind": kind,
        "name": name,
        "baseline": baseline,
        "every": every,
        "cron": cron,
        "window_days": window or None,
        "failures_to_reopen": failures or None,
        "url": url,
        "expected_status": status or None,
        "expect_text": text,
        "json_path": json_path,
        "json_value": json_value,
        "metric": metric,
        "timeout": timeout or None,
        "command": command,
        "exit_code": exit_code if kind == "command" else None,
        "database": database,
        "query": query,
        "operator": operator if kind in ("sql", "metric") else None,
        "value": value,
        "person": person,
        "question": question,
        "grace_hours": grace or None,
        "threshold": threshold or None,
    }
    check = services.add_check(mistake, _strip(given), actor=user)
    if as_json:
        print_json(check_record(check))
        return
    console.print(
        f"Check #{check.pk} agreed for #{mistake.pk}: {check.name} "
        f"({check.get_kind_display()}, {check.schedule_text}, {check.window_days}-day window)",
        highlight=False,
    )


@check_app.command("list")
def list_checks(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A mistake's checks, their recent runs and their verdicts."""
    mistake = reporting.get_mistake(acting_user(), mistake_id)
    evaluation = services.evaluate(mistake)
    if as_json:
        print_json(
            {
                "overall": evaluation.overall,
                "verified": evaluation.verified,
                "checks": [check_record(c) for c, _ in evaluation.verdicts],
            }
        )
        return
    if not evaluation.verdicts:
        console.print(f"#{mistake.pk} has no effectiveness check yet (add one: ownup check add).")
        return
    table = Table("#", "check", "kind", "schedule", "recent runs", "verdict", box=None)
    for check, verdict in evaluation.verdicts:
        runs = services.runs_for_chart(check, 30)
        table.add_row(
            str(check.pk),
            check.name,
            check.get_kind_display(),
            check.schedule_text,
            _marks(runs) or "—",
            verdict.label,
        )
    console.print(table)
    console.print(markup("Overall: [bold]{}[/]", evaluation.overall))


def _marks(runs: list[CheckRun]) -> Text:
    return Text.assemble(
        *((MARKS[Outcome(r.outcome)], OUTCOME_STYLE[Outcome(r.outcome)]) for r in runs)
    )


@check_app.command("run")
def run(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    check_id: int = typer.Option(0, "--check", help="Only this check (default: all of them)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Run a mistake's checks now and show what they found."""
    user = acting_user()
    mistake = reporting.get_mistake(user, mistake_id)
    if not reporting.can_act(user, mistake):
        fail("only the mistake's people, its team's responders and admins may run its checks")
    checks = (
        [services.get_check(user, mistake, check_id)]
        if check_id
        else list(services.checks_of(user, mistake))
    )
    if not checks:
        fail(f"#{mistake.pk} has no effectiveness check to run")
    results = []
    for check in checks:
        done = services.run_now(check)
        done.refresh_from_db()
        results.append((check, done))
    if as_json:
        print_json([{"check": c.pk, **run_record(r)} for c, r in results])
    else:
        for check, done in results:
            style = OUTCOME_STYLE[Outcome(done.outcome)]
            console.print(
                markup(
                    f"[{style}]" + "{}[/] #{} {}: {} ({} ms)",
                    done.get_outcome_display(),
                    check.pk,
                    check.name,
                    done.detail,
                    done.duration_ms or 0,
                ),
                highlight=False,
            )


def close(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    learned: str = typer.Option(..., "--learned", help="What we learned."),
    advice: str = typer.Option(..., "--advice", help="What others should do."),
    reason: str = typer.Option(
        "", "--reason", "-r", help="Why close without every check verified."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """Close a mistake with its lesson: verified by its checks, or with a reason."""
    user = acting_user()
    mistake = reporting.get_mistake(user, mistake_id)
    closure = services.close(
        mistake, {"learned": learned, "advice": advice, "reason": reason}, actor=user
    )
    mistake.refresh_from_db()
    if as_json:
        print_json(
            {**mistake_record(mistake), "verified": closure.verified, "thanked": closure.thanked}
        )
        return
    how = "verified effective" if closure.verified else f"without verification: {reason}"
    console.print(f"#{mistake.pk} is closed, {how}.", highlight=False)
    if closure.thanked:
        thanked = services.and_list(closure.thanked)
        console.print(f"Thank you, {thanked}.", highlight=False)
    console.print(f"The lesson is in the library ({timezone.localdate():%Y-%m-%d}).")


PANEL = "Stages 7 and 8: check that the fix holds, close"


def register(app: typer.Typer) -> None:
    app.add_typer(check_app, name="check", rich_help_panel=PANEL)
    app.command("close", rich_help_panel=PANEL)(close)
