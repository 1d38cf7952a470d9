"""CLI commands for reporting and moving mistakes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from django.utils import timezone
from rich.table import Table

from ownup.cli import (
    acting_user,
    console,
    errors,
    fail,
    fail_naming_options,
    markup,
    print_json,
)
from ownup.reporting import services, stages, waiting
from ownup.reporting.models import Stage
from ownup.reporting.records import mistake_record

# The report's fields by the names its command-line options give them.
OPTION_NAMES = {
    "title": "TITLE",
    "description": "--what",
    "occurred_at": "--occurred",
    "noticed_at": "--noticed",
    "discovered_by": "--found-by",
    "severity": "--severity",
    "team": "--team",
    "confidentiality": "--confidentiality",
    "restricted_to": "--person",
    "tags": "--tag",
}


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def report(
    title: str = typer.Argument(..., help="What went wrong, in one sentence."),
    description: str = typer.Option("", "--what", help="What happened, in more words."),
    occurred_at: str = typer.Option("", "--occurred", help="When it happened (ISO 8601)."),
    noticed_at: str = typer.Option("", "--noticed", help="When it was noticed (ISO 8601)."),
    discovered_by: str = typer.Option(
        "self", "--found-by", help="self, colleague, customer, check, audit or other."
    ),
    severity: str = typer.Option("", help="A name from the severity scale."),
    team: str = typer.Option("", help="The team's slug."),
    confidentiality: str = typer.Option(
        "open", help="open, team, restricted (with --person) or anonymous."
    ),
    person: list[str] = typer.Option([], "--person", help="Who may see a restricted one."),
    tag: list[str] = typer.Option([], "--tag", help="A tag; repeat for more."),
    as_json: bool = typer.Option(False, "--json", help="Print the new record as JSON."),
) -> None:
    """Report a mistake. One sentence is enough."""
    given: dict[str, Any] = {
        "title": title,
        "description": description,
        "occurred_at": occurred_at or None,
        "noticed_at": noticed_at or None,
        "discovered_by": discovered_by,
        "severity": severity or None,
        "team": team or None,
        "confidentiality": confidentiality,
        "restricted_to": person,
        "tags": tag,
    }
    try:
        mistake = services.report(given, reporter=acting_user())
    except services.InvalidInput as refused:
        fail_naming_options(refused, OPTION_NAMES)
    if as_json:
        print_json(mistake_record(mistake))
        return
    record = mistake_record(mistake)
    console.print(markup("Reported [bold]#{}[/]: {}", mistake.pk, mistake.title), highlight=False)
    console.print(record["url"], style="link " + record["url"])
    facts = services.disclosure(mistake)
    if facts.self_disclosed:
        console.print(
            markup("[green]Self-disclosed: reported before anyone else found it. Thank you.[/]")
        )
    if facts.minutes_to_report is not None:
        console.print(f"From noticing to reporting: {facts.minutes_to_report} min")
    console.print(f"Mistakes like it, and what fixed them: ownup similar {mistake.pk}", style="dim")


def list_mistakes(
    stage: str = typer.Option("", help="Only this stage."),
    team: str = typer.Option("", help="Only this team (slug)."),
    mine: bool = typer.Option(False, "--mine", help="Only the mistakes you own."),
    limit: int = typer.Option(50, min=1, max=10_000, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the mistakes you can see, newest first."""
    if stage and stage not in Stage.values:
        fail(f"unknown stage {stage!r}; choose one of {', '.join(Stage.values)}")
    try:
        mistakes = services.listed(acting_user(), stage=stage, team=team, mine=mine)
    except services.InvalidInput as refused:
        fail_naming_options(refused, {"team": "--team"})
    mistakes = mistakes.prefetch_related("tags", "restricted_to")
    chosen = list(mistakes[:limit])
    if as_json:
        print_json([mistake_record(m) for m in chosen])
        return
    table = Table("#", "mistake", "stage", "severity", "team", "reported", box=None)
    for m in chosen:
        table.add_row(
            str(m.pk),
            m.title,
            m.get_stage_display(),
            str(m.severity),
            str(m.team or "—"),
            _when(m.reported_at),
        )
    console.print(table if chosen else "No mistakes to show.")
    if len(chosen) == limit and (total := mistakes.count()) > limit:
        # Beside the table rather than in it, so that a pipe reads the mistakes alone.
        errors.print(f"{limit:,} of {total:,} shown, newest first: --limit for more.", style="dim")


def show(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one mistake and its timeline."""
    mistake = services.get_mistake(acting_user(), mistake_id)
    record = mistake_record(mistake)
    if as_json:
        record["timeline"] = [
            {
                "at": e.at,
                "kind": e.kind,
                "text": e.text,
                "actor": e.actor.get_username() if e.actor else None,
            }
            for e in mistake.timeline.select_related("actor")
        ]
        print_json(record)
        return
    console.print(markup("[bold]#{} {}[/]", mistake.pk, mistake.title), highlight=False)
    console.print(f"{mistake.get_stage_display()} · {mistake.severity} · {record['url']}")
    if mistake.description:
        console.print(mistake.description, highlight=False)
    facts = Table(box=None, show_header=False)
    for label, value in [
        ("happened", _when(mistake.occurred_at)),
        ("noticed", _when(mistake.noticed_at)),
        ("reported", _when(mistake.reported_at)),
        ("found by", mistake.found_by),
        ("reporter", record["reporter"] or ("anonymous" if mistake.is_anonymous else "—")),
        ("owner", record["owner"] or "nobody yet"),
        ("team", record["team"] or "—"),
        ("tags", ", ".join(record["tags"]) or "—"),
    ]:
        facts.add_row(label, value)
    console.print(facts)
    console.print(markup("[bold]Next step:[/] {}", record["next_step"]))
    console.print(markup("[bold]Timeline[/]"))
    # A table without lines, so a long entry wraps under its own text, not under the times.
    timeline = Table(box=None, show_header=False, padding=(0, 1, 0, 2), highlight=False)
    timeline.add_column(no_wrap=True)
    timeline.add_column()
    for entry in mistake.timeline.select_related("actor"):
        who = f" · {entry.actor.get_username()}" if entry.actor else ""
        timeline.add_row(_when(entry.at), f"{entry.text}{who}")
    console.print(timeline)


def move(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    stage: str = typer.Argument(
        "", help="The stage to move to (default: the next one); an earlier one reopens."
    ),
    reason: str = typer.Option("", "--reason", "-r", help="Why: needed to skip or to reopen."),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """Move a mistake to its next stage, skip ahead with a reason, or reopen it."""
    user = acting_user()
    mistake = services.get_mistake(user, mistake_id)
    moved = services.move(mistake, stage, actor=user, reason=reason)
    if as_json:
        print_json(mistake_record(moved))
        return
    console.print(f"#{moved.pk} is now {moved.get_stage_display().lower()}.")
    console.print(f"Next step: {stages.NEXT_STEP[moved.stage_enum]}")


def note(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    text: str = typer.Argument(..., help="What happened or was found."),
    at: str = typer.Option("", help="When it happened (ISO 8601); now when left out."),
) -> None:
    """Add an entry to a mistake's timeline."""
    from django.utils.dateparse import parse_datetime

    when = None
    if at:
        when = parse_datetime(at)
        if when is None:
            fail(f"--at: {at!r} is not a date and time such as 2026-03-01T14:30")
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
    user = acting_user()
    mistake = services.get_mistake(user, mistake_id)
    services.add_note(mistake, text, actor=user, at=when)
    console.print(f"Added to the timeline of #{mistake.pk}.")


def waiting_for_you(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """What is waiting for you: actions, containments, check-ins, messages; late first."""
    items = waiting.everything_for(acting_user())
    if as_json:
        print_json([item.record() for item in items])
        return
    table = Table("#", "waiting for you", "due", "mistake", box=None)
    for item in items:
        due = f"{item.due:%Y-%m-%d}{' (late)' if item.late else ''}" if item.due else ""
        table.add_row(
            str(item.mistake.pk), item.what, markup("[red]{}[/]", due) if item.late else due,
            item.mistake.title,
        )  # fmt: skip
    console.print(table if items else "Nothing is waiting for you.")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("list")(list_mistakes)
    app.command("show")(show)
    app.command("move")(move)
    app.command("note")(note)
    app.command("waiting")(waiting_for_you)
