"""CLI commands for people, teams and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from django.utils import timezone
from django.utils.text import slugify
from rich.table import Table

from ownup import chat
from ownup.cli import acting_admin, acting_operator, console, fail, fail_naming_options, print_json
from ownup.organisation import services
from ownup.organisation.models import Role, Team
from ownup.reporting.services import InvalidInput

users = typer.Typer(help="People who use ownup.", no_args_is_help=True)
teams = typer.Typer(help="Teams and their members.", no_args_is_help=True)
tokens = typer.Typer(help="API tokens (shown once, stored hashed).", no_args_is_help=True)


@users.command("create")
def create_user(
    username: str,
    email: str = typer.Option("", help="Where notifications go."),
    password: str = typer.Option(
        "",
        envvar="OWNUP_NEW_PASSWORD",
        help="Leave out to create a user who logs in by token only.",
    ),
    name: str = typer.Option("", help="Full name."),
    admin: bool = typer.Option(False, "--admin", help="May use the admin site and do anything."),
) -> None:
    """Create a user (admins only)."""
    acting_admin("create users")
    first, _, last = name.partition(" ")
    try:
        user = services.create_user(
            username,
            email=email,
            password=password or None,
            first_name=first,
            last_name=last,
            admin=admin,
        )
    except InvalidInput as refused:
        fail_naming_options(
            refused,
            {
                "username": "USERNAME",
                "email": "--email",
                "password": "--password",
                "first_name": "--name",
                "last_name": "--name",
            },
        )
    console.print(f"Created {user.get_username()}{' (admin)' if admin else ''}.")


@users.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List users with their teams and roles."""
    from django.contrib.auth import get_user_model

    rows: list[dict[str, Any]] = []
    for user in get_user_model().objects.order_by("username").prefetch_related("memberships__team"):
        rows.append(
            {
                "username": user.username,
                "name": user.get_full_name(),
                "email": user.email,
                "admin": user.is_superuser,
                "active": user.is_active,
                "teams": {m.team.slug: m.role for m in user.memberships.all()},
            }
        )
    if as_json:
        print_json(rows)
        return
    table = Table("username", "name", "email", "admin", "teams", box=None)
    for row in rows:
        table.add_row(
            row["username"],
            row["name"],
            row["email"],
            "yes" if row["admin"] else "",
            ", ".join(f"{t} ({r})" for t, r in row["teams"].items()),
        )
    console.print(table)


CHAT_HELP = "Post the team's new reports here: an Apprise URL (slack://…, msteams://…)."


def _checked_chat(url: str) -> str:
    if url and (problem := chat.problem_with(url)):
        fail(f"--chat: {problem}")
    return url


@teams.command("create")
def create_team(
    name: str,
    email: str = typer.Option("", help="The team's shared address."),
    chat_url: str = typer.Option("", "--chat", help=CHAT_HELP),
) -> None:
    """Create a team (admins only)."""
    acting_admin("manage teams")
    slug = slugify(name)
    if not slug:
        fail("a team's name needs at least one letter or digit")
    if Team.objects.filter(slug=slug).exists():
        fail(f"a team {slug!r} already exists")
    Team.objects.create(name=name, slug=slug, email=email, chat_url=_checked_chat(chat_url))
    console.print(f"Created team {name} ({slug}).")


@teams.command("chat")
def set_chat(
    team: str = typer.Argument(..., help="The team's slug."),
    url: str = typer.Argument(..., help=CHAT_HELP + " An empty one stops the posts."),
) -> None:
    """Post a team's new reports to a chat channel, never the confidential ones (admins only)."""
    acting_admin("manage teams")
    updated = Team.objects.filter(slug=team).update(chat_url=_checked_chat(url.strip()))
    if not updated:
        fail(f"no team {team!r} (see 'ownup team list')")
    console.print(f"New reports of {team} go to {chat.private(url)}." if url.strip() else
                  f"New reports of {team} are no longer posted to a chat.")  # fmt: skip


@teams.command("add")
def add_member(
    team: str = typer.Argument(..., help="The team's slug."),
    username: str = typer.Argument(...),
    role: Role = typer.Option(Role.REPORTER, help="reporter, responder or manager."),
) -> None:
    """Add someone to a team, or change their role in it (admins only)."""
    acting_admin("manage teams")
    found = Team.objects.filter(slug=team).first()
    if found is None:
        fail(f"no team {team!r} (see 'ownup team list')")
    services.join_team(services.find_user(username), found, role)
    console.print(f"{username} is a {role.value} of {found.name}.")


@teams.command("list")
def list_teams(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List teams."""
    rows: list[dict[str, Any]] = [
        {
            "slug": t.slug,
            "name": t.name,
            "members": t.memberships.count(),
            "chat": chat.private(t.chat_url) if t.chat_url else None,
        }
        for t in Team.objects.all()
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("slug", "name", "members", "chat", box=None)
    for row in rows:
        table.add_row(row["slug"], row["name"], str(row["members"]), row["chat"] or "—")
    console.print(table)


@tokens.command("create")
def create_token(
    username: str, name: str = typer.Option("", help="What the token is for.")
) -> None:
    """Create an API token for a user and print it once (for others: admins only)."""
    user = services.find_user(username)
    token, secret = services.issue_token_for(acting_operator(), user, name)
    console.print(secret, highlight=False, soft_wrap=True)
    errors_hint = f"Token {token.pk} for {username}: keep it now, it is not shown again."
    console.print(errors_hint, style="dim", highlight=False)


@tokens.command("list")
def list_tokens(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List tokens, never their secrets: all of them for an admin, their own for anyone else."""
    rows: list[dict[str, Any]] = [
        {
            "id": t.pk,
            "user": t.user.get_username(),
            "name": t.name,
            "ends_with": t.hint,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
        }
        for t in services.tokens_seen_by(acting_operator())
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "user", "name", "ends with", "created", "last used", box=None)
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["user"],
            row["name"],
            row["ends_with"],
            _when(row["created_at"]),
            _when(row["last_used_at"]) if row["last_used_at"] else "never",
        )
    console.print(table)


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@tokens.command("revoke")
def revoke_token(token_id: int) -> None:
    """Revoke a token by its id (another person's: admins only)."""
    services.revoke_token(acting_operator(), token_id)
    console.print(f"Token {token_id} revoked.")


def register(app: typer.Typer) -> None:
    app.add_typer(users, name="user", rich_help_panel="People and access")
    app.add_typer(teams, name="team", rich_help_panel="People and access")
    app.add_typer(tokens, name="token", rich_help_panel="People and access")
