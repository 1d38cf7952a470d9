"""Users, teams, roles and API tokens, from the command line and in the database."""

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from ownup.cli import get_app
from ownup.organisation.models import ApiToken, Membership, Role, Team, hash_token


@pytest.fixture
def ownup(db):
    runner = CliRunner()
    return lambda *args: runner.invoke(get_app(), list(args))


def test_create_people_and_teams(ownup):
    assert (
        ownup(
            "user",
            "create",
            "ada",
            "--email",
            "ada@example.com",
            "--name",
            "Ada Lovelace",
            "--admin",
        ).exit_code
        == 0
    )
    assert ownup("team", "create", "Billing Ops").exit_code == 0
    assert Team.objects.get().slug == "billing-ops"
    assert ownup("team", "add", "billing-ops", "ada", "--role", "manager").exit_code == 0
    assert Membership.objects.get().role == Role.MANAGER
    listed = ownup("user", "list", "--json").output
    assert '"billing-ops": "manager"' in listed


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["team", "add", "nope", "ada"], "no team 'nope'"),
        (["team", "add", "billing", "nobody"], "no user named 'nobody'"),
        (["user", "create", "ada"], "already exists"),
        (["token", "create", "nobody"], "no user named 'nobody'"),
        (["token", "revoke", "999"], "no token 999"),
        (["team", "create", "!!!"], "at least one letter"),
        (["team", "chat", "billing", "foo://x"], "foo:// is not a kind of address Apprise knows"),
        (["team", "chat", "billing", "slack://"], "not a complete slack address"),
        (["team", "chat", "billing", "#billing"], "--chat: Give an Apprise URL, such as slack://…"),
        (["team", "chat", "nope", "json://127.0.0.1/x"], "no team 'nope'"),
        (["team", "create", "Ops", "--chat", "foo://x"], "foo:// is not a kind"),
    ],
)
def test_refusals(ownup, args, words):
    ownup("user", "create", "ada")
    ownup("team", "create", "Billing")
    result = ownup(*args)
    assert result.exit_code == 1
    assert words in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([""], "USERNAME: A user needs a username."),
        (
            ["bad name!"],
            "USERNAME: Enter a valid username. This value may contain only letters, "
            "numbers, and @/./+/-/_ characters.",
        ),
        (["a" * 200], "USERNAME: Ensure this value has at most 150 characters (it has 200)."),
        (["bo", "--email", "notanemail"], "--email: Enter a valid email address."),
        (
            ["bo", "--password", "short"],
            "--password: This password is too short. It must contain at least 8 characters.",
        ),
        (["bo", "--password", "password"], "--password: This password is too common."),
        (
            ["bo", "--name", "B" * 151],
            "--name: Ensure this value has at most 150 characters (it has 151).",
        ),
    ],
)
def test_a_user_is_refused_in_one_line_by_djangos_own_rules(ownup, args, message):
    from django.contrib.auth.models import User

    result = ownup("user", "create", *args)
    assert result.exit_code == 1
    assert " ".join(result.output.split()) == f"error: {message}"
    assert not User.objects.exists()


def test_a_token_is_shown_once_and_stored_hashed(ownup, client):
    ownup("user", "create", "ada")
    result = ownup("token", "create", "ada", "--name", "laptop")
    assert result.exit_code == 0, result.output
    secret = result.output.split()[0]
    assert secret.startswith("ownup_")
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(secret)
    assert secret not in {token.key_hash, token.hint, token.name}
    assert secret not in ownup("token", "list", "--json").output

    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/mistakes", headers=headers).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    assert ownup("token", "revoke", str(token.pk)).exit_code == 0
    assert client.get("/api/v1/mistakes", headers=headers).status_code == 401


def test_a_token_records_when_it_was_last_used_to_the_minute(ownup, client, time_machine):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    ownup("user", "create", "ada")
    secret = ownup("token", "create", "ada").output.split()[0]
    headers = {"Authorization": f"Bearer {secret}"}

    def used_at() -> datetime | None:
        assert client.get("/api/v1/mistakes", headers=headers).status_code == 200
        return ApiToken.objects.get().last_used_at

    assert used_at() == start
    time_machine.move_to(start + timedelta(seconds=59), tick=False)
    assert used_at() == start  # within the minute: not written again
    time_machine.move_to(start + timedelta(minutes=1), tick=False)
    assert used_at() == start + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(15, "15 min"), (90, "90 min"), (60, "1 hour"), (240, "4 hours"), (1440, "1 day"),
     (2880, "2 days"), (1500, "25 hours")],
)  # fmt: skip
def test_the_time_to_contain_is_said_in_its_largest_whole_unit(minutes, said):
    from ownup.organisation.models import Severity

    assert Severity(name="x", rank=1, target_contain_minutes=minutes).target_contain_text == said


def test_a_team_posts_its_reports_to_a_chat_set_from_the_cli_or_the_admin(ownup):
    from django.core.exceptions import ValidationError

    ownup("team", "create", "Billing")
    set_it = ownup("team", "chat", "billing", "json://127.0.0.1:9/hooks/billing")
    assert set_it.exit_code == 0, set_it.output
    assert "New reports of billing go to json://…" in set_it.output
    assert Team.objects.get().chat_url == "json://127.0.0.1:9/hooks/billing"
    listed = ownup("team", "list", "--json").output
    assert '"chat": "json://…"' in listed  # the URL's secret parts stay out of sight
    assert "hooks" not in listed

    assert ownup("team", "chat", "billing", "").exit_code == 0
    assert Team.objects.get().chat_url == ""

    team = Team.objects.get()
    team.chat_url = "foo://x"
    with pytest.raises(ValidationError, match="Apprise knows"):
        team.full_clean()


def test_serve_and_the_worker_refuse_a_database_older_than_the_code(transactional_db):
    from django.core.management import call_command

    runner = CliRunner()
    call_command("migrate", "organisation", "0003", verbosity=0)  # one change undone
    try:
        for command in (["serve", "--no-worker"], ["worker"]):
            result = runner.invoke(get_app(), command)
            assert result.exit_code == 1
            assert "run 'ownup migrate' first" in result.output
            assert "1 change to make" in result.output
    finally:
        call_command("migrate", verbosity=0)
