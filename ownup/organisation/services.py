"""Rules about people: who belongs where, who responds, who manages."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from ownup.organisation.models import ApiToken, Membership, Role, SlackAccount, Team


def team_ids_of(user: User | AnonymousUser) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user).values_list("team_id", flat=True))


def people_with_role(team: Team, role: Role) -> QuerySet:
    return User.objects.filter(
        is_active=True, memberships__team=team, memberships__role=role
    ).distinct()


def is_manager(user: User | AnonymousUser) -> bool:
    """Managers of any team, and admins, may see what is private to managers."""
    if not user.is_authenticated:
        return False
    return (
        bool(getattr(user, "is_superuser", False))
        or Membership.objects.filter(user=user, role=Role.MANAGER).exists()
    )


def require_admin(actor: User | AnonymousUser, doing: str) -> None:
    """Refuse anyone but an admin: ``doing`` says what only admins do, e.g. "manage teams"."""
    if not getattr(actor, "is_superuser", False):
        # Imported here: reporting's services read this module's rules.
        from ownup.reporting.services import NotAllowed

        raise NotAllowed(f"only admins {doing}")


def create_user(
    username: str,
    *,
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    admin: bool = False,
) -> User:
    """A new user, refused (an ``InvalidInput`` naming each field) unless every part is valid
    by Django's own rules: the username's, the address's and the instance's password rules."""
    # Imported here: reporting's services read this module's rules.
    from ownup.reporting.services import InvalidInput

    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=admin,
        is_superuser=admin,
    )
    errors = _problems_with(user, password)
    if errors:
        raise InvalidInput(errors)
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    return user


def _problems_with(user: User, password: str | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("username", "email", "first_name", "last_name"):
        field = User._meta.get_field(name)
        value = getattr(user, name)
        if name == "username" and not value:
            errors[name] = ["A user needs a username."]
            continue
        try:
            # Each field's own validators: a username's characters and length, an address's form.
            field.run_validators(value)  # type: ignore[union-attr]
        except ValidationError as refused:
            errors[name] = list(refused.messages)
    if "username" not in errors and User.objects.filter(username=user.username).exists():
        errors["username"] = [f"A user named {user.username!r} already exists."]
    if password:
        try:
            validate_password(password, user)
        except ValidationError as refused:
            errors["password"] = list(refused.messages)
    return errors


def join_team(user: User, team: Team, role: Role) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, team=team, defaults={"role": role}
    )
    return membership


def find_user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise LookupError(f"no user named {username!r}") from None


def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    return ApiToken.objects.issue(user, name)


# In the token rules, an actor of None is whoever holds the database before there is an admin
# to act as (the command line's ``acting_operator``): they may do anything.


def issue_token_for(actor: User | None, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A token for ``user``: a person makes their own, only an admin makes one for another."""
    if actor is not None and actor.pk != user.pk:
        require_admin(actor, "create tokens for other people")
    return issue_token(user, name)


def tokens_seen_by(actor: User | None) -> QuerySet[ApiToken]:
    """Every token for an admin; a person's own tokens for anyone else."""
    found = ApiToken.objects.select_related("user").order_by("pk")
    return found if actor is None or actor.is_superuser else found.filter(user=actor)


def revoke_token(actor: User | None, token_id: int) -> None:
    """Revoke a token: a person their own, an admin anyone's."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise LookupError(f"no token {token_id}")
    if actor is not None and token.user_id != actor.pk:
        require_admin(actor, "revoke other people's tokens")
    token.delete()


def person_in_slack(workspace: str, slack_user: str) -> User | None:
    """The active ownup account a Slack account was connected to, if any."""
    account = (
        SlackAccount.objects.select_related("user")
        .filter(workspace=workspace, slack_user=slack_user, user__is_active=True)
        .first()
    )
    return account.user if account else None


def connect_slack(user: User, workspace: str, slack_user: str, slack_name: str) -> SlackAccount:
    """Connect a Slack account to ``user``, in place of whichever account it was connected to."""
    account, _ = SlackAccount.objects.update_or_create(
        workspace=workspace,
        slack_user=slack_user,
        defaults={"user": user, "slack_name": slack_name},
    )
    return account
