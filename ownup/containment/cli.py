"""CLI commands for containment: thin adapters over the containment services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import typer
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rich.table import Table

from ownup.cli import acting_user, console, fail, markup, print_json
from ownup.containment import services
from ownup.containment.models import ContainmentAction
from ownup.containment.records import action_record, containment_record
from ownup.durations import DurationError, is_duration, parse_duration
from ownup.reporting.services import get_mistake


def parse_when(option: str, value: str) -> datetime | None:
    """An ISO date or date-time, or a time from now such as 3d, 12h, 2w."""
    if not value:
        return None
    if is_duration(value):
        try:
            return timezone.now() + parse_duration(value)
        except DurationError as error:
            fail(f"{option}: {error}")
    when = parse_datetime(value)
    if when is None and (day := parse_date(value)):
        when = datetime(day.year, day.month, day.day, 9)
    if when is None:
        fail(f"{option}: {value!r} is not a time such as 2026-03-01T14:30, 2026-03-01 or 3d")
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _said(action: ContainmentAction) -> None:
    if action.needs_approval:
        console.print(
            markup(
                "Proposed containment [bold]#{}[/]: it cannot be undone, so someone other "
                "than you must approve it: ownup approve {} {}",
                action.pk,
                action.mistake_id,
                action.pk,
            ),
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(
            f"Containment #{action.pk} on #{action.mistake_id} is "
            f"{action.get_status_display().lower()}.",
            highlight=False,
        )


def contain(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    what: str = typer.Argument(..., help="What was done to stop the harm."),
    could_harm: str = typer.Option(..., "--could-harm", help="What this could harm."),
    undo: str = typer.Option("", "--undo", help="How to undo it: the rollback."),
    cannot_undo: bool = typer.Option(
        False,
        "--cannot-undo",
        help="It cannot be undone: it is proposed, and someone else must approve it.",
    ),
    agreed_by: str = typer.Option(..., "--agreed-by", help="Who agreed to it."),
    remove_by: str = typer.Option(
        ..., "--remove-by", help="When it should be removed: 2026-03-01, 2026-03-01T09:00 or 3d."
    ),
    at: str = typer.Option("", "--at", help="When it was done (default: now)."),
    as_json: bool = typer.Option(False, "--json", help="Print the action as JSON."),
) -> None:
    """Record a containment action with its do-no-harm check."""
    if cannot_undo and undo:
        fail("--undo and --cannot-undo contradict each other: choose one")
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    action = services.record_action(
        mistake,
        actor=user,
        what=what,
        could_harm=could_harm,
        reversible=not cannot_undo,
        rollback=undo,
        agreed_by=agreed_by,
        remove_by=parse_when("--remove-by", remove_by),
        taken_at=parse_when("--at", at),
    )
    if as_json:
        print_json(action_record(action))
        return
    _said(action)


def show_containment(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show a mistake's containment: the actions, customer care and escalations."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    record = containment_record(user, mistake)
    if as_json:
        print_json(record)
        return
    console.print(markup("[bold]#{} {}[/]", mistake.pk, mistake.title), highlight=False)
    state = "contained" if record["contained"] else "not contained yet"
    console.print(f"{state} · contain by {_when(record['contain_by'])}")
    if record["overdue"]:
        console.print(markup("[red]Past the target time to contain.[/]"))
    if record["still_in_place_after_fix"]:
        console.print(markup("[yellow]A containment is still in place although the fix is in.[/]"))
    table = Table("#", "what", "status", "can undo", "could harm", "remove by", box=None)
    for a in record["actions"]:
        status = a["status"] + (" · past removal date" if a["overdue_for_removal"] else "")
        table.add_row(
            str(a["id"]),
            a["what"],
            status,
            a["rollback"] if a["reversible"] else "no",
            a["could_harm"],
            _when(a["remove_by"]),
        )
    console.print(table if record["actions"] else "No containment actions yet.")
    for care in record["customer_care"]:
        console.print(f"For customers ({_when(care['at'])}): {care['text']}", highlight=False)
    for step in record["support"] or []:
        console.print(
            f"Support offered by {step['offered_by']} ({_when(step['offered_at'])}) {step['note']}",
            highlight=False,
        )


def _action(mistake_id: int, action_id: int) -> tuple[object, ContainmentAction]:
    user = acting_user()
    return user, services.get_action(get_mistake(user, mistake_id), action_id)


def approve(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    action_id: int = typer.Argument(..., help="The containment action's number."),
) -> None:
    """Approve a containment that cannot be undone (someone other than its author)."""
    user, action = _action(mistake_id, action_id)
    services.approve(action, actor=user)  # type: ignore[arg-type]
    console.print(
        f"Approved #{action.pk}. Record it as taken: ownup take {mistake_id} {action.pk}",
        highlight=False,
    )


def take(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    action_id: int = typer.Argument(..., help="The containment action's number."),
    at: str = typer.Option("", "--at", help="When it was done (default: now)."),
) -> None:
    """Record an approved containment as taken."""
    user, action = _action(mistake_id, action_id)
    services.take(action, actor=user, at=parse_when("--at", at))  # type: ignore[arg-type]
    _said(action)


def lift(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    action_id: int = typer.Argument(..., help="The containment action's number."),
) -> None:
    """Remove a containment that is in place (it was always meant to be temporary)."""
    user, action = _action(mistake_id, action_id)
    services.remove(action, actor=user)  # type: ignore[arg-type]
    _said(action)


def care(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    text: str = typer.Argument(..., help="What was done right now for the affected customers."),
    at: str = typer.Option("", "--at", help="When (default: now)."),
) -> None:
    """Record what was done right now for the affected customers."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    services.record_customer_care(mistake, actor=user, text=text, at=parse_when("--at", at))
    console.print(f"Recorded for the customers of #{mistake.pk}.")


def support(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    note: str = typer.Option("", "--note", help="Private: how support was offered."),
) -> None:
    """Record support offered to the person who made the mistake (managers; kept private)."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    services.offer_support(mistake, actor=user, note=note)
    console.print(f"Recorded: support offered on #{mistake.pk} (private to managers and reporter).")


PANEL = "Stage 2: contain it, do no harm"


def register(app: typer.Typer) -> None:
    commands: list[tuple[str, Callable[..., None]]] = [
        ("contain", contain),
        ("approve", approve),
        ("take", take),
        ("lift", lift),
        ("care", care),
        ("support", support),
        ("containment", show_containment),
    ]
    for name, command in commands:
        app.command(name, rich_help_panel=PANEL)(command)
