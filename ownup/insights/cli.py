"""``ownup stats`` and ``ownup demo-history``: the dashboard in a terminal, and a past for it."""

from __future__ import annotations

import typer
from rich.table import Table

from ownup.cli import acting_user, console, print_json
from ownup.insights import history, stats


def show_stats(
    team: str = typer.Option("", help="Only this team (slug)."),
    months: int = typer.Option(12, min=1, max=120, help="The last N months, this one included."),
    start: str = typer.Option("", help="First day of the period (YYYY-MM-DD); overrides months."),
    end: str = typer.Option("", help="Last day of the period (YYYY-MM-DD); today by default."),
    bucket: str = typer.Option("month", help="Trend per 'month' or 'week'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (as GET /api/v1/stats)."),
) -> None:
    """The dashboard's figures: early disclosure, time to contain and fix, recurrence, counts."""
    filters = stats.filters_from(
        months=months, start=start or None, end=end or None, bucket=bucket, team=team
    )
    figures = stats.compute(acting_user(), filters)
    if as_json:
        print_json(figures.as_dict())
        return
    scope = f" · team {filters.team}" if filters.team else ""
    console.print(
        f"[bold]{figures.reported}[/] mistakes you can see, reported "
        f"{filters.start} to {filters.end}{scope}",
        highlight=False,
    )
    summary = Table("figure", "value", "per " + filters.bucket, box=None, title="Figures")
    for figure in figures.figures:
        summary.add_row(
            figure.label,
            _value(figure.value, figure.unit),
            " ".join(_spark(figure.series)),
        )
    overdue = figures.overdue_actions
    summary.add_row("Overdue actions", "—" if overdue is None else str(overdue), "")
    console.print(summary)
    for breakdown in figures.breakdowns:
        table = Table(breakdown.label, "mistakes", box=None, title=breakdown.label)
        for name, total in breakdown.totals.items():
            table.add_row(name, str(total))
        console.print(table if breakdown.totals else f"{breakdown.label}: none")


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:g}%" if unit == "%" else f"{value:g} {unit}"


def _spark(series: list[float | None]) -> list[str]:
    # The latest few buckets, so the trend fits on one line.
    return ["·" if v is None else f"{v:g}" for v in series[-6:]]


def demo_history(
    count: int = typer.Argument(150, min=1, max=2_000_000, help="How many past mistakes."),
    seed: int = typer.Option(7, help="The same seed gives the same past."),
) -> None:
    """Add a year of past mistakes to the demo organisation, so the dashboard shows trends."""
    created = history.add_history(count, seed=seed)
    console.print(f"Added {created} past mistakes over the last 12 months.")


def register(app: typer.Typer) -> None:
    app.command("stats")(show_stats)
    app.command("demo-history")(demo_history)
