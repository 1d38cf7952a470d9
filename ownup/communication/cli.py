"""CLI commands: ``ownup tell``, ``ownup acks``, ``ownup lead``, ``ownup language-check``,
``ownup export``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from ownup import postmortem
from ownup.cli import acting_user, console, fail, fail_naming_options, markup, print_json
from ownup.communication import language, services
from ownup.communication.language import Finding
from ownup.communication.records import findings_record, message_record
from ownup.reporting.services import InvalidInput, get_mistake


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        console.print(
            markup(
                "[yellow]blame check:[/] “{}” in the {}: {}",
                finding.found,
                finding.field,
                finding.suggestion,
            ),
            highlight=False,
        )


def tell(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    audience: str = typer.Option(
        "team",
        "--audience",
        "-a",
        help="customers, customers-results (their follow-up), team, leadership, regulator…",
    ),
    to: list[str] = typer.Option(
        [], "--to", help="A recipient: an email address or an Apprise URL; repeat for more."
    ),
    subject: str = typer.Option("", help="The subject (default: the draft's)."),
    body_file: Path | None = typer.Option(
        None, "--body-file", help="The message text from a file ('-' for standard input)."
    ),
    send: bool = typer.Option(False, "--send", help="Send it; without this, only show the draft."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Draft a message for an audience from the record, and send it with --send."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    drafted = services.draft(mistake, audience)
    body = drafted.body
    if body_file is not None:
        try:
            body = sys.stdin.read() if str(body_file) == "-" else body_file.read_text()
        except OSError as error:
            fail(f"--body-file: cannot read {body_file}: {error.strerror}")
    recipients = to or drafted.recipients
    if not send:
        if as_json:
            print_json(
                {
                    "audience": drafted.audience.key,
                    "subject": subject or drafted.subject,
                    "body": body,
                    "recipients": recipients,
                    "language": findings_record(language.check_text(body, "body")),
                }
            )
            return
        console.print(markup("[bold]To:[/] {}", ", ".join(recipients) or "(nobody yet: add --to)"))
        console.print(markup("[bold]Subject:[/] {}\n", subject or drafted.subject), highlight=False)
        console.print(body, highlight=False, soft_wrap=True)
        _print_findings(language.check_text(body, "body"))
        console.print("Add --send to send it (and --to for each recipient).")
        return
    try:
        message = services.send(
            mistake,
            audience_key=audience,
            subject=subject or drafted.subject,
            body=body,
            recipients=recipients,
            actor=user,
        )
    except InvalidInput as refused:
        names = {"recipients": "--to", "subject": "--subject", "body": "--body-file"}
        fail_naming_options(refused, names)
    if as_json:
        print_json(message_record(message))
        return
    count = message.recipients.count()
    console.print(f"Queued message #{message.pk} for {count} recipient{'' if count == 1 else 's'}.")
    _print_findings(language.check_text(message.body, "body"))


def acks(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    remind: bool = typer.Option(
        False, "--remind", help="Remind everyone who has not acknowledged yet."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Who was told, whether it reached them, and who has acknowledged it."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    messages = list(services.messages_of(mistake))
    if remind:
        reminded = sum(services.remind_unacknowledged(m, actor=user) for m in messages)
        console.print(f"Reminder queued for {reminded} recipient{'' if reminded == 1 else 's'}.")
        return
    if as_json:
        print_json([message_record(m) for m in messages])
        return
    if not messages:
        console.print(f"Nothing sent about #{mistake.pk} yet: draft one with 'ownup tell'.")
        return
    for message in messages:
        console.print(
            markup(
                "[bold]#{} {}[/] · {} · {}",
                message.pk,
                message.subject,
                message.audience_name,
                f"{message.sent_at:%Y-%m-%d %H:%M}",
            ),
            highlight=False,
        )
        table = Table("recipient", "delivery", "acknowledged", box=None)
        for r in message.recipients.all():
            delivery = r.get_state_display() + (f": {r.error}" if r.error else "")
            if r.acknowledged_at:
                acknowledged = f"{r.acknowledged_at:%Y-%m-%d %H:%M}"
            else:
                acknowledged = "not yet" if r.can_acknowledge else "—"
            table.add_row(r.label, delivery, acknowledged)
        console.print(table)


def lead(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    username: str = typer.Argument(..., help="Who leads the communication."),
) -> None:
    """Make someone the mistake's one communication lead."""
    user = acting_user()
    person = services.set_lead(get_mistake(user, mistake_id), username, actor=user)
    console.print(f"{person.get_full_name() or person.get_username()} leads communication.")


def language_check(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Check a report's words for blaming phrases (a warning, not a block)."""
    findings = language.check_mistake(get_mistake(acting_user(), mistake_id))
    if as_json:
        print_json(findings_record(findings))
        return
    _print_findings(findings)
    if not findings:
        console.print("No blaming phrases found.")


def export_postmortem(mistake_id: int, fmt: str, output: Path | None) -> None:
    """A mistake's postmortem, the whole story, as Markdown, HTML or PDF: `ownup export ID`."""
    user = acting_user()
    document = postmortem.export(get_mistake(user, mistake_id), user, fmt)
    if output is None and fmt == "pdf":
        output = Path(document.filename)
    if output is None:
        sys.stdout.write(document.content.decode())
        return
    try:
        output.write_bytes(document.content)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
    console.print(f"Wrote {output} ({len(document.content):,} bytes).")


PANEL = "Stage 6: tell everyone involved"


def register(app: typer.Typer) -> None:
    app.command("tell", rich_help_panel=PANEL)(tell)
    app.command("acks", rich_help_panel=PANEL)(acks)
    app.command("lead", rich_help_panel=PANEL)(lead)
    app.command("language-check", rich_help_panel=PANEL)(language_check)
