"""The organisation's commands: stats, import, export, backup, restore, and a demo past."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ownup.cli import acting_admin, acting_user, console, errors, fail, markup, print_json
from ownup.commands import RUNNING
from ownup.insights import backup, exporting, history, importing, stats, totals

# Invalid records listed one by one after an import; the rest are counted (all are in --json).
INVALID_SHOWN = 50
# The latest weeks or months of each figure's trend, as many as fit on one line ("·": none).
TREND_BUCKETS = 6


def show_stats(
    team: str = typer.Option("", help="Only this team (slug)."),
    months: int = typer.Option(12, min=1, max=120, help="The last N months, this one included."),
    start: str = typer.Option("", help="First day of the period (YYYY-MM-DD); overrides months."),
    end: str = typer.Option("", help="Last day of the period (YYYY-MM-DD); today by default."),
    bucket: str = typer.Option("month", help="Trend per 'month' or 'week'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (as GET /api/v1/stats)."),
    rebuild: bool = typer.Option(
        False,
        "--rebuild",
        help="First count every mistake again into the totals the figures are read from.",
    ),
) -> None:
    """The dashboard's figures: early disclosure, time to contain and fix, recurrence, counts."""
    if rebuild:
        counted = totals.rebuild()
        errors.print(f"Counted {counted} mistakes again.", highlight=False)
    filters = stats.filters_from(
        months=months, start=start or None, end=end or None, bucket=bucket, team=team
    )
    figures = stats.compute(acting_user(), filters)
    if as_json:
        print_json(figures.as_dict())
        return
    scope = f" · team {filters.team}" if filters.team else ""
    console.print(
        markup(
            "[bold]{}[/] mistakes you can see, reported {} to {}{}",
            figures.reported,
            filters.start,
            filters.end,
            scope,
        ),
        highlight=False,
    )
    # Months by name, weeks by the day they start: the period itself is on the first line.
    shown = [_bucket_name(b, filters.bucket) for b in figures.buckets[-TREND_BUCKETS:]]
    span = " to ".join([shown[0], shown[-1]] if len(shown) > 1 else shown)
    trend = f"per {filters.bucket}, {span}" if shown else ""
    summary = Table("figure", "value", trend, box=None, title="Figures")
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
        table = Table("", "mistakes", box=None, title=breakdown.label)
        for name, total in breakdown.totals.items():
            table.add_row(name, str(total))
        console.print(table if breakdown.totals else f"{breakdown.label}: none")


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:g}%" if unit == "%" else f"{value:g} {unit}"


def _bucket_name(start: str, bucket: str) -> str:
    day = date.fromisoformat(start)
    return f"{day:%b}" if bucket == "month" else f"{day.day} {day:%b}"


def _spark(series: list[float | None]) -> list[str]:
    return ["·" if v is None else f"{v:g}" for v in series[-TREND_BUCKETS:]]


def demo_history(
    count: int = typer.Argument(150, min=1, max=2_000_000, help="How many past mistakes."),
    seed: int = typer.Option(7, help="The same seed gives the same past."),
) -> None:
    """Add a year of past mistakes to the demo organisation, so the dashboard shows trends."""
    created = history.add_history(count, seed=seed)
    console.print(f"Added {created} past mistakes over the last 12 months.")


def import_file(
    path: Path = typer.Argument(..., help="A .json or .csv file, or a folder of .md postmortems."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Import mistakes; records imported before (same url or content) are skipped, not doubled."""
    try:
        candidates = importing.read(path)
    except importing.ImportRefused as refused:
        fail(f"nothing imported: {refused}")
    columns = (
        TextColumn("Importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=errors, transient=True, disable=as_json) as progress:
        task = progress.add_task("import", total=len(candidates))
        result = importing.import_records(
            candidates,
            source=str(path),
            actor=acting_user(),
            progress=lambda advanced: progress.advance(task, advanced),
        )
    if as_json:
        print_json(
            {
                "created": result.created,
                "skipped": [{"where": s.where, "reason": s.reason} for s in result.skipped],
            }
        )
    else:
        already = len(result.skipped) - len(result.invalid)
        console.print(
            f"Imported {result.created} of {len(candidates)} records; skipped {already} "
            f"already imported and {len(result.invalid)} invalid.",
            highlight=False,
        )
        # The invalid ones are for the person to fix; those already imported only to count.
        for skipped in result.invalid[:INVALID_SHOWN]:
            console.print(f"  skipped {skipped.where}: {skipped.reason}", highlight=False)
        if len(result.invalid) > INVALID_SHOWN:
            console.print(
                f"  and {len(result.invalid) - INVALID_SHOWN} more invalid (--json lists them all)",
                highlight=False,
            )
        if result.created:
            console.print(
                "The worker adds them to the search index in the background (ownup worker).",
                highlight=False,
            )
    if result.invalid:
        count = len(result.invalid)
        fail(f"{count} invalid record{' was' if count == 1 else 's were'} not imported")


def export(
    mistake_id: int | None = typer.Argument(
        None, help="One mistake's postmortem (md, html, pdf); leave out with --all or --team."
    ),
    everything: bool = typer.Option(False, "--all", help="Every mistake you can see."),
    team: str = typer.Option("", help="Only this team's mistakes (slug)."),
    output_format: str = typer.Option(
        "", "--format", "-f", help="md, html or pdf for one mistake; json or csv for many."
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write here, not to stdout; a PDF is never written to stdout: without -o it goes "
        "to postmortem-ID.pdf in the current folder.",
    ),
) -> None:
    """Export one mistake's postmortem, or the mistakes you can see as JSON or CSV."""
    if mistake_id is not None:
        if everything or team:
            fail("give a mistake's number, or --all / --team, not both")
        from ownup.communication.cli import export_postmortem

        export_postmortem(mistake_id, output_format or "md", output)
        return
    output_format = output_format or "json"
    if output_format not in exporting.FORMATS:
        fail(f"--format: choose one of {', '.join(exporting.FORMATS)}")
    if not everything and not team:
        fail("say what to export: --all, or --team SLUG")
    mistakes = exporting.exported(acting_user(), team=team)
    text = exporting.as_json(mistakes) if output_format == "json" else exporting.as_csv(mistakes)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"{output}: {error.strerror}")
    console.print(f"Exported {len(mistakes)} mistakes to {output}.", highlight=False)


def make_backup(
    file: Path = typer.Argument(..., help="Where to write it: .json, or .json.gz to compress."),
) -> None:
    """Back up everything (people, teams, mistakes, every app's records) into one file (admins)."""
    acting_admin("back up the instance")
    try:
        backup.backup(file)
    except ValueError as error:
        fail(str(error))
    console.print(f"Backed up to {file} ({file.stat().st_size:,} bytes).", highlight=False)


def restore(
    file: Path = typer.Argument(..., help="A file written by 'ownup backup'."),
    replace: bool = typer.Option(False, "--replace", help="Replace what the database holds."),
) -> None:
    """Restore a backup: the database then holds exactly what the backup holds (admins)."""
    acting_admin("restore a backup")
    from django.core.serializers.base import DeserializationError
    from django.db import DatabaseError

    try:
        backup.restore(file, replace=replace)
    except (ValueError, DeserializationError, DatabaseError) as error:
        fail(f"not restored: {str(error).splitlines()[0]}")
    console.print(f"Restored from {file}.", highlight=False)


ORGANISATION = "The organisation"


def register(app: typer.Typer) -> None:
    app.command("stats", rich_help_panel=ORGANISATION)(show_stats)
    app.command("import", rich_help_panel=ORGANISATION)(import_file)
    app.command("export", rich_help_panel=ORGANISATION)(export)
    app.command("backup", rich_help_panel=RUNNING)(make_backup)
    app.command("restore", rich_help_panel=RUNNING)(restore)
    app.command("demo-history", rich_help_panel=RUNNING)(demo_history)
