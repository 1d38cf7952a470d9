"""CLI commands for the real fix: ``ownup action add|list|start|done|verify|cancel``."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from ownup.cli import acting_user, console, fail_naming_options, markup, print_json
from ownup.fixes import services
from ownup.fixes.records import action_record
from ownup.reporting.services import InvalidInput, get_mistake

# An action's fields by the names the command-line options give them.
OPTION_NAMES = {
    "title": "TITLE",
    "owner": "--owner",
    "due_date": "--due",
    "kind": "--kind",
    "strength": "--strength",
    "tracker_url": "--tracker",
}

actions = typer.Typer(help="Corrective and preventive actions: the real fix.", no_args_is_help=True)


@actions.command("add")
def add(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    title: str = typer.Argument(..., help="What will be done."),
    owner: str = typer.Option(..., "--owner", help="The username of the person who owns it."),
    due: str = typer.Option(..., "--due", help="The due date, like 2026-03-31."),
    kind: str = typer.Option("corrective", help="corrective or preventive."),
    strength: str = typer.Option("medium", help="strong, medium or weak."),
    tracker: str = typer.Option("", "--tracker", help="A link to the ticket in any tracker."),
    as_json: bool = typer.Option(False, "--json", help="Print the new action as JSON."),
) -> None:
    """Add a corrective or preventive action to a mistake."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    given = {
        "title": title,
        "owner": owner,
        "due_date": due,
        "kind": kind,
        "strength": strength,
        "tracker_url": tracker,
    }
    try:
        action = services.add_action(mistake, given, actor=user)
    except InvalidInput as refused:
        fail_naming_options(refused, OPTION_NAMES)
    if as_json:
        print_json(action_record(action))
        return
    console.print(
        markup("Added action [bold]#{}[/] to #{}: {}", action.pk, mistake.pk, action.title)
    )
    if warning := services.strength_warning(mistake):
        console.print(markup("[yellow]warning:[/] {}", warning), highlight=False)


@actions.command("list")
def list_actions(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List a mistake's actions."""
    mistake = get_mistake(acting_user(), mistake_id)
    found = list(services.actions_of(mistake))
    if as_json:
        print_json([action_record(a) for a in found])
        return
    if not found:
        console.print(f"#{mistake.pk} has no actions yet: add one with 'ownup action add'.")
        return
    table = Table("#", "action", "kind", "strength", "owner", "due", "status", box=None)
    for action in found:
        status = Text(action.get_status_display())
        if action.is_verified:
            status.append(" · verified")
        elif action.is_overdue():
            status = markup("[red]{} · overdue[/]", status)
        table.add_row(
            str(action.pk),
            action.title,
            action.kind,
            action.strength,
            action.owner.get_username(),
            f"{action.due_date:%Y-%m-%d}",
            status,
        )
    console.print(table)
    if warning := services.strength_warning(mistake):
        console.print(markup("[yellow]warning:[/] {}", warning), highlight=False)
    if needs := services.fix_needs(mistake):
        console.print(f"Not fixed yet: {needs}.", highlight=False)


@actions.command("start")
def start(action_id: int = typer.Argument(..., help="The action's number.")) -> None:
    """Mark an action in progress."""
    user = acting_user()
    action = services.start_action(services.get_action(user, action_id), actor=user)
    console.print(f"Action #{action.pk} is in progress.")


@actions.command("done")
def done(
    action_id: int = typer.Argument(..., help="The action's number."),
    evidence: str = typer.Option(..., "--evidence", "-e", help="What shows it was done."),
) -> None:
    """Mark an action done, with the evidence that shows it."""
    user = acting_user()
    action = services.complete_action(services.get_action(user, action_id), evidence, actor=user)
    console.print(f"Action #{action.pk} is done.")
    if needs := services.fix_needs(action.mistake):
        console.print(f"#{action.mistake_id} is not fixed yet: {needs}.", highlight=False)
    else:
        console.print(
            f"Every action of #{action.mistake_id} is done: 'ownup move {action.mistake_id} fixed'."
        )


@actions.command("verify")
def verify(
    action_id: int = typer.Argument(..., help="The action's number."),
    note: str = typer.Option("", "--note", help="What you checked."),
) -> None:
    """Verify a done action: you checked its evidence."""
    user = acting_user()
    action = services.verify_action(services.get_action(user, action_id), actor=user, note=note)
    console.print(f"Action #{action.pk} is verified by {user.get_username()}.")


@actions.command("cancel")
def cancel(
    action_id: int = typer.Argument(..., help="The action's number."),
    reason: str = typer.Option(..., "--reason", "-r", help="Why it is no longer needed."),
) -> None:
    """Cancel an action, saying why."""
    user = acting_user()
    action = services.cancel_action(services.get_action(user, action_id), reason, actor=user)
    console.print(f"Action #{action.pk} is cancelled.")


PANEL = "Stage 5: make the real fix"


def register(app: typer.Typer) -> None:
    app.add_typer(actions, name="action", rich_help_panel=PANEL)
