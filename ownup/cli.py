"""The ``ownup`` command: the same services as the web and the API, for a terminal or a script.

Exit codes a script can trust: 0 done, 1 refused (bad input, not found, not allowed, a move the
stage rules forbid), 2 a command line that does not parse.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Iterable, Mapping
from importlib import import_module
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup
from typer.main import get_group

# What a command prints is printed as it is: a "[x]" or a ":name:" in a title stays as typed.
# Styled lines are built with ``markup``, which reads its template alone as Rich markup.
console = Console(markup=False, emoji=False)
errors = Console(stderr=True, markup=False, emoji=False)


def markup(template: str, *values: object) -> Text:
    """The Rich markup of ``template``, each ``{}`` in it filled with a value printed as typed.

    Rich reads any string it prints as markup: a title such as "Sent [x] to the wrong list"
    would lose its "[x]", and one such as "a [/] b" would stop the command with an error. Only
    the template is read as markup ("[bold]To:[/] {}"); each value goes in as plain text, in
    the styles around its place.
    """
    parsed = Text.from_markup(template.replace("{}", _PLACE), emoji=False)
    pieces = parsed.plain.split(_PLACE)
    if len(pieces) != len(values) + 1:
        raise ValueError(f"{len(pieces) - 1} places for {len(values)} values in {template!r}")
    typed = [str(value) for value in values]
    places = [offset for offset, character in enumerate(parsed.plain) if character == _PLACE]
    growths = [(place, len(value) - 1) for place, value in zip(places, typed, strict=True)]

    def moved(offset: int) -> int:
        # Each value before ``offset`` moves it by its length, less the one place it replaces.
        return offset + sum(growth for place, growth in growths if place < offset)

    filled = zip(pieces, [*typed, ""], strict=True)
    text = Text("".join(piece + value for piece, value in filled))
    for span in parsed.spans:
        text.stylize(span.style, moved(span.start), moved(span.end))
    return text


# Stands for each value while the template is read as markup: a character no template has.
_PLACE = "\ufffc"


class RefusalsAsOneLine(TyperGroup):
    """Prints a refusal from any command as one line and exits 1, instead of a traceback."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # No text may hold a control character, as on the web and in the API: a terminal
        # would act on one printed back (an escape clears the screen, a bell rings).
        ctx.meta.setdefault("refused_argument", _refused_argument(args))
        if ctx.parent is None:
            state.arguments = tuple(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:  # a click Context of the copy of click that Typer ships
        try:
            if refused := ctx.meta.get("refused_argument"):
                raise CommandError(refused)
            return super().invoke(ctx)
        except _refusals() as refusal:
            messages = getattr(refusal, "messages", None)
            if isinstance(errors_ := getattr(refusal, "errors", None), dict):
                message = spelled_out(errors_, typed=state.arguments)
            else:
                message = "; ".join(messages) if messages else str(refusal)
            errors.print(markup("[bold red]error:[/] {}", message), highlight=False, soft_wrap=True)
            ctx.exit(getattr(refusal, "code", 1))
        except _database_errors() as failure:
            # Most often a database older than the code: say so instead of a traceback.
            first_line = str(failure).strip().splitlines()[0] if str(failure).strip() else ""
            errors.print(
                markup(
                    "[bold red]error:[/] the database refused: {} "
                    "(if ownup was just installed or upgraded, run 'ownup migrate')",
                    first_line,
                ),
                highlight=False,
                soft_wrap=True,
            )
            ctx.exit(1)


def _refused_argument(args: list[str]) -> str | None:
    """The refusal of the first argument holding a control character, naming its option."""
    from ownup.middleware import control_character, refusal

    for place, argument in enumerate(args):
        if found := control_character(argument):
            before = args[place - 1] if place else ""
            if before.startswith("-") and "=" not in before:
                holder = before
            elif argument.startswith("--") and "=" in argument:
                holder = argument.split("=", 1)[0]
            else:
                typed = argument[: argument.index(found)]
                holder = f"The argument {typed[:30]!r}" if typed else "An argument"
            return refusal(found, holder)
    return None


class EachAppsCommandsWhenNeeded(RefusalsAsOneLine):
    """The whole command, with each app's commands added only when the command line needs them.

    An app's commands import its services and theirs, and Typer builds each command it is
    given: together a third of the start of a command. A command line names one command, so the
    apps' commands are added in the order of INSTALLED_APPS until one of them has it; help and
    a command line that names none add them all.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ownup.seams import each_app_module

        super().__init__(*args, **kwargs)
        self._not_added = each_app_module("cli")

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        while command is None and self._add_next_apps_commands():
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: Any) -> list[str]:
        while self._add_next_apps_commands():
            pass
        # Help lists the panels in the order of their first command: the everyday commands,
        # then the lifecycle's stages in order, then the organisation's, running ownup last.
        return sorted(super().list_commands(ctx), key=self._panel_rank)

    def _panel_rank(self, name: str) -> int:
        from ownup.commands import RUNNING

        panel = getattr(self.commands[name], "rich_help_panel", None)
        if not isinstance(panel, str):  # none given: Typer's "Commands"
            return 0
        return 1 if panel.startswith("Stage") else 3 if panel == RUNNING else 2

    def _add_next_apps_commands(self) -> bool:
        module = next(self._not_added, None)
        if module is None:
            return False
        commands = typer.Typer(rich_markup_mode=app.rich_markup_mode)
        module.register(commands)
        for name, command in get_group(commands).commands.items():
            self.add_command(command, name)
        return True


app = typer.Typer(
    name="ownup",
    cls=EachAppsCommandsWhenNeeded,
    help="Handle mistakes in the open: report, contain, understand, fix, tell, verify, learn.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


class CommandError(Exception):
    """A refusal to print as one line, with the exit code it stands for."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 1) -> NoReturn:
    raise CommandError(message, code)


def fail_naming_options(refused: Any, option_names: Mapping[str, str]) -> NoReturn:
    """Refuse invalid input (an ``InvalidInput``) naming the options, not the fields, at fault."""
    fail(spelled_out(refused.errors, option_names, state.arguments))


def spelled_out(
    errors: Mapping[str, list[str]],
    option_names: Mapping[str, str] | None = None,
    typed: Iterable[str] = (),
) -> str:
    """Each problem after what it is about: the option named in ``option_names``, or the one
    typed that has the field's name (``occurred_at``, ``--occurred-at``), or the field."""
    given = {argument.split("=", 1)[0] for argument in typed if argument.startswith("--")}
    parts = []
    for field, problems in errors.items():
        option = f"--{field.replace('_', '-')}"
        name = (option_names or {}).get(field) or (option if option in given else field)
        text = " ".join(problems)
        # A field the command line does not name (an argument's, as the service calls it) is
        # left out when it is the only problem: the message says what is wrong on its own.
        unnamed = name == field and len(errors) == 1
        part = text if field == "__all__" or unnamed else f"{name}: {text}"
        parts.append(part if part.endswith((".", "?", "!")) else f"{part}.")
    return " ".join(parts)


class State:
    username: str | None = None
    arguments: tuple[str, ...] = ()  # the command line's, as typed


state = State()


@app.callback()
def _options(
    user: str | None = typer.Option(
        None,
        "--user",
        "-u",
        envvar="OWNUP_USER",
        help="Act as this user (default: the first admin).",
    ),
) -> None:
    state.username = user


def acting_user() -> Any:
    """The user a command acts as: --user / OWNUP_USER, or the first admin."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if state.username:
        found = users.filter(username=state.username, is_active=True).first()
        if found is None:
            fail(f"no active user named {state.username!r} (see 'ownup user list')")
        return found
    admin = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        fail("no user to act as: create one with 'ownup user create NAME --admin'")
    return admin


def acting_operator() -> Any | None:
    """The user a command acts as, or None while no --user is given and there is no admin yet.

    Whoever runs a command holds the database itself: before there is an admin to act as, they
    must still be able to create the first one or restore a backup into an empty instance.
    """
    from django.contrib.auth import get_user_model

    admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
    if not state.username and not admins.exists():
        return None
    return acting_user()


def acting_admin(doing: str) -> Any | None:
    """The admin a command that manages the instance acts as (see ``acting_operator``); anyone
    else is refused, saying that only admins do what ``doing`` says."""
    from ownup.organisation.services import require_admin

    actor = acting_operator()
    if actor is not None:
        require_admin(actor, doing)
    return actor


def print_json(value: Any) -> None:
    from django.core.serializers.json import DjangoJSONEncoder

    console.print_json(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ownup.settings")
    _import_queue_without_unused_clients()
    import django

    django.setup()


def _import_queue_without_unused_clients() -> None:
    """Import Huey without the clients of the queues this instance does not use.

    Huey's storage module imports redis and psycopg, when installed, for its queues on Redis and
    on PostgreSQL: a fifth of the start of a command. ownup queues on SQLite, or on Redis when
    REDIS_URL is set, never on PostgreSQL. Huey leaves out a queue whose client is missing, and
    the clients stay importable for the code that uses them (Django's PostgreSQL backend, the
    SQL checks).
    """
    from django.conf import settings

    unused = ["psycopg"] if settings.REDIS_URL else ["psycopg", "redis"]
    hidden = [name for name in unused if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "not installed", for Huey alone
    try:
        import huey.storage  # noqa: F401
    finally:
        for name in hidden:
            del sys.modules[name]


def _database_errors() -> tuple[type[Exception], ...]:
    from django.db import OperationalError, ProgrammingError

    return (OperationalError, ProgrammingError)


def _refusals() -> tuple[type[Exception], ...]:
    from django.core.exceptions import ValidationError

    from ownup.reporting.services import InvalidInput, NotAllowed, NotFound
    from ownup.reporting.stages import StageError

    return (
        CommandError,
        InvalidInput,
        NotFound,
        NotAllowed,
        StageError,
        LookupError,
        ValidationError,
    )


def get_app() -> typer.Typer:
    """The whole command (each app's commands are added as a command line needs them)."""
    import_module("ownup.commands")
    return app


def main() -> None:
    # Setting up makes many objects and frees few, and they live as long as the process: the
    # collector's passes over them cost a tenth of a short command, so it waits until they are
    # made and then leaves them out of its passes.
    gc.disable()
    try:
        _setup_django()
    finally:
        gc.freeze()
        gc.enable()
    try:
        get_app()()
    except KeyboardInterrupt:
        sys.exit(130)
