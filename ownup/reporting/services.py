"""The rules of reporting a mistake and changing its record.

Web views, API routes and CLI commands call these functions and nothing below them, so a report
made anywhere is validated, recorded, audited and announced the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms.utils import from_current_timezone
from django.utils import timezone

from ownup.organisation.models import Membership, Role, Team
from ownup.reporting import stages
from ownup.reporting.changes import mistakes_changed
from ownup.reporting.forms import MistakeForm, before_earliest, initial_data
from ownup.reporting.models import Confidentiality, Mistake, Tag, TimelineEntry

AnyUser = User | AnonymousUser

# The fields a change is audited on, with how each value is written down.
AUDITED_FIELDS = (
    "title",
    "description",
    "occurred_at",
    "noticed_at",
    "discovered_by",
    "harm",
    "severity",
    "team",
    "owner",
    "confidentiality",
    "restricted_to",
    "tags",
)
MANY_FIELDS = ("restricted_to", "tags")


class InvalidInput(ValueError):
    """Input that breaks a rule; ``errors`` names each field and what is wrong with it."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__(self.summary())

    def summary(self) -> str:
        """One sentence of every problem: "title: Say …; severity: There is no severity …."."""
        parts = [
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in self.errors.items()
        ]
        return "; ".join([part.removesuffix(".") for part in parts[:-1]] + parts[-1:])


class NotFound(LookupError):
    """No such mistake, or none this person may see: the two look alike on purpose."""


class NotAllowed(PermissionError):
    pass


def aware(when: datetime | None, field: str) -> datetime | None:
    """``when`` with its time zone: one given without is read in the organisation's zone.

    The forms read a time without a zone this way, so the API, the web and the CLI mean the same
    moment by the same words; a time the zone skips or repeats is refused, naming ``field``.
    """
    if when is None or timezone.is_aware(when):
        return when
    try:
        return from_current_timezone(when)
    except ValidationError as problem:
        raise InvalidInput({field: list(problem.messages)}) from None


def visible_mistakes(user: AnyUser) -> QuerySet[Mistake]:
    return Mistake.objects.visible_to(user).select_related("severity", "team", "owner", "reporter")


def listed(
    user: AnyUser,
    *,
    stage: str = "",
    severity: str = "",
    team: str = "",
    mine: bool = False,
    words: str = "",
) -> QuerySet[Mistake]:
    """The mistakes a list shows this person, newest first: the ones they may see, narrowed by
    stage, severity (its name), team (its slug), the ones they own, words of the title."""
    mistakes = visible_mistakes(user)
    if stage:
        mistakes = mistakes.filter(stage=stage)
    if severity:
        mistakes = mistakes.filter(severity__name=severity)
    if team:
        if not Team.objects.filter(slug=team).exists():
            raise InvalidInput({"team": [f"No team {team!r}."]})
        mistakes = mistakes.filter(team__slug=team)
    if mine:
        mistakes = mistakes.filter(owner_id=user.pk) if user.is_authenticated else mistakes.none()
    if words:
        mistakes = mistakes.filter(title__icontains=words)
    return mistakes


def get_mistake(user: AnyUser, mistake_id: int | str) -> Mistake:
    try:
        return visible_mistakes(user).get(pk=int(mistake_id))
    except (Mistake.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(f"no mistake #{mistake_id} that you can see") from None


ACTING_ROLES = [Role.RESPONDER, Role.MANAGER]


def can_act(user: AnyUser, mistake: Mistake) -> bool:
    """Who may change a mistake and move it on: its people, its team's responders, admins."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False) or user.pk in (mistake.reporter_id, mistake.owner_id):
        return True
    return (
        mistake.team_id is not None
        and _acting_memberships(user).filter(team_id=mistake.team_id).exists()
    )


def may_act_on(user: AnyUser) -> Q:
    """:func:`can_act` as a condition on Mistake rows, for a query over many mistakes."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if getattr(user, "is_superuser", False):
        return Q()
    teams = _acting_memberships(user).values("team_id")
    return Q(reporter_id=user.pk) | Q(owner_id=user.pk) | Q(team_id__in=teams)


def _acting_memberships(user: AnyUser) -> QuerySet[Membership]:
    assert isinstance(user, User)  # asked only of people who are logged in
    return Membership.objects.filter(user=user, role__in=ACTING_ROLES)


def ensure_can_act(user: AnyUser, mistake: Mistake, doing: str) -> None:
    if not can_act(user, mistake):
        raise NotAllowed(f"only the mistake's people, its team's responders and admins may {doing}")


def _validated(data: Mapping[str, Any], **facts: Any) -> dict[str, Any]:
    form = MistakeForm(data=dict(data), validating_only=True, **facts)
    if not form.is_valid():
        raise InvalidInput({field: [str(m) for m in msgs] for field, msgs in form.errors.items()})
    return form.cleaned_data


def _refuse_an_owner_who_cannot_see(cleaned: Mapping[str, Any], reporter_id: int | None) -> None:
    def member(owner: User, team: Team) -> bool:
        return Membership.objects.filter(user=owner, team=team).exists()

    if problem := owner_unable_to_see(cleaned, reporter_id, member):
        raise InvalidInput({"owner": [problem]})


def owner_unable_to_see(
    cleaned: Mapping[str, Any], reporter_id: int | None, member: Callable[[User, Team], bool]
) -> str | None:
    """Owning a mistake lets one see it: owning must not be the way in to a confidential one.

    Whether the owner would see it without owning it is Mistake.objects.visible_to's rule, read
    on the record as it is about to be; ``member`` says whether a person is of a team.
    """
    owner: User | None = cleaned.get("owner")
    confidentiality = cleaned.get("confidentiality")
    if owner is None or owner.pk == reporter_id:
        return None
    if confidentiality == Confidentiality.TEAM:
        sees = cleaned.get("team") is not None and member(owner, cleaned["team"])
    elif confidentiality == Confidentiality.RESTRICTED:
        sees = owner in cleaned.get("restricted_to", ())
    else:
        return None
    return None if sees else f"{owner.get_username()} cannot see this mistake, so cannot own it."


def report(data: Mapping[str, Any], *, reporter: AnyUser, announce: bool = True) -> Mistake:
    """Record a new mistake from its reporter's words. One sentence (``title``) is enough.

    ``announce=False`` records it without telling the responders: for demo data and imports of
    mistakes that were handled elsewhere.
    """
    unknown = set(data) - set(MistakeForm.base_fields)
    if unknown:
        raise InvalidInput(
            {name: ["This is not a field of a mistake."] for name in sorted(unknown)}
        )
    cleaned = _validated(data, has_reporter=reporter.is_authenticated)
    anonymous = cleaned["confidentiality"] == Confidentiality.ANONYMOUS
    who = None if anonymous or not reporter.is_authenticated else reporter
    _refuse_an_owner_who_cannot_see(cleaned, who.pk if who else None)
    # The record and its first entries are made before the write transaction begins, so the
    # transaction holds only the statements: SQLite lets one writer in at a time.
    mistake = Mistake(reported_at=timezone.now(), reporter=who)
    _assign(mistake, cleaned)
    people = list(cleaned["restricted_to"])
    tag_names: list[str] = cleaned["tags"]
    snapshot = _snapshot(mistake, restricted_to=people, tags=tag_names)
    entries = [
        TimelineEntry(
            mistake=mistake,
            at=mistake.reported_at,
            actor=who,
            kind=TimelineEntry.Kind.REPORTED,
            text="Reported anonymously" if anonymous else "Reported",
            changes={name: [None, value] for name, value in snapshot.items() if value},
        )
    ]
    if mistake.occurred_at:
        entries.append(
            TimelineEntry(
                mistake=mistake,
                at=mistake.occurred_at,
                kind=TimelineEntry.Kind.EVENT,
                text="It happened",
            )
        )
    if mistake.noticed_at:
        entries.append(
            TimelineEntry(
                mistake=mistake,
                at=mistake.noticed_at,
                kind=TimelineEntry.Kind.EVENT,
                text="It was noticed",
            )
        )
    with transaction.atomic():
        mistake.save(force_insert=True)
        # A new mistake has no people nor tags yet: adding is all there is to do.
        if people:
            mistake.restricted_to.add(*people)
        tags = [Tag.objects.get_or_create(name=name)[0] for name in tag_names]
        if tags:
            mistake.tags.add(*tags)
        for entry in entries:
            entry.save(force_insert=True)
        mistakes_changed([mistake.pk])
        if announce:
            transaction.on_commit(lambda: _announce(mistake.pk))
            if mistake.owner_id:
                _tell_new_owner(mistake, reporter)
    _know_many(mistake, restricted_to=people, tags=tags)
    return mistake


def update(mistake: Mistake, changes: Mapping[str, Any], *, actor: AnyUser) -> Mistake:
    """Change some fields of a mistake; the change is validated whole and audited."""
    ensure_can_act(actor, mistake, "change it")
    unknown = set(changes) - set(MistakeForm.base_fields)
    if unknown:
        raise InvalidInput(
            {name: ["This is not a field of a mistake."] for name in sorted(unknown)}
        )
    if mistake.is_anonymous and changes.get("confidentiality", "anonymous") != "anonymous":
        raise InvalidInput(
            {"confidentiality": ["An anonymous report stays anonymous: its reporter is unknown."]}
        )
    if not mistake.is_anonymous and changes.get("confidentiality") == "anonymous":
        raise InvalidInput(
            {
                "confidentiality": [
                    "A report is made anonymous when it is made, not after: "
                    "who reported this one is already recorded."
                ]
            }
        )
    cleaned = _validated(
        {**initial_data(mistake), **changes},
        reported_at=mistake.reported_at,
        has_reporter=mistake.reporter_id is not None,
        given=changes,
    )
    if cleaned["owner"] is not None and cleaned["owner"].pk != mistake.owner_id:
        _refuse_an_owner_who_cannot_see(cleaned, mistake.reporter_id)
    with transaction.atomic():
        before = _snapshot(mistake)
        _assign(mistake, cleaned)
        mistake.save()
        _assign_many(mistake, cleaned)
        after = _snapshot(mistake)
        diff = {k: [before[k], after[k]] for k in AUDITED_FIELDS if before[k] != after[k]}
        if "owner" in diff:
            _tell_new_owner(mistake, actor)
        if diff:
            TimelineEntry.objects.create(
                mistake=mistake,
                actor=actor if actor.is_authenticated else None,
                kind=TimelineEntry.Kind.CHANGED,
                text="Changed " + ", ".join(_label(k) for k in diff),
                changes=diff,
            )
        mistakes_changed([mistake.pk])
    return mistake


def move(mistake: Mistake, target: str, *, actor: AnyUser, reason: str = "") -> Mistake:
    """A person moves a mistake to ``target`` (or to the next stage when it is empty)."""
    ensure_can_act(actor, mistake, "move it")
    assert isinstance(actor, User)  # ensure_can_act lets only people who are logged in through
    if not target:
        return stages.advance(mistake, actor=actor, reason=reason)
    return stages.move(mistake, target, actor=actor, reason=reason)


def add_note(
    mistake: Mistake, text: str, *, actor: AnyUser, at: datetime | None = None
) -> TimelineEntry:
    """A manual timeline entry, at the time it happened (``at``) or now."""
    ensure_can_act(actor, mistake, "add to it")
    text = text.strip()
    if not text:
        raise InvalidInput({"text": ["Write what happened."]})
    at = aware(at, "at")
    if too_early := before_earliest(at):
        raise InvalidInput({"at": [too_early]})
    if at and at > timezone.now():
        raise InvalidInput({"at": ["A timeline entry cannot be in the future."]})
    return TimelineEntry.objects.create(
        mistake=mistake,
        at=at or timezone.now(),
        actor=actor if actor.is_authenticated else None,
        kind=TimelineEntry.Kind.NOTE,
        text=text,
    )


def people_to_notify(mistake: Mistake) -> list[User]:
    """Who hears of a new report: its team's responders (managers too when the severity says so),
    or every responder when it has no team; never someone who may not see it, nor the reporter."""
    roles = [Role.RESPONDER, Role.MANAGER] if mistake.severity.notify_managers else [Role.RESPONDER]
    memberships = Membership.objects.filter(role__in=roles, user__is_active=True)
    if mistake.team_id:
        memberships = memberships.filter(team_id=mistake.team_id)
    candidates = User.objects.filter(pk__in=memberships.values("user_id")).exclude(email="")
    if mistake.reporter_id:
        candidates = candidates.exclude(pk=mistake.reporter_id)
    return [user for user in candidates.order_by("username") if can_see(user, mistake)]


def can_see(user: AnyUser, mistake: Mistake) -> bool:
    return Mistake.objects.visible_to(user).filter(pk=mistake.pk).exists()


@dataclass(frozen=True)
class Disclosure:
    """The facts of early disclosure shown to the reporter on the receipt."""

    reported_at: datetime
    time_to_report: timedelta | None
    self_disclosed: bool

    @property
    def minutes_to_report(self) -> int | None:
        if self.time_to_report is None:
            return None
        return int(self.time_to_report.total_seconds() // 60)


def disclosure(mistake: Mistake) -> Disclosure:
    return Disclosure(
        reported_at=mistake.reported_at,
        time_to_report=mistake.time_to_report,
        self_disclosed=mistake.self_disclosed,
    )


def _assign(mistake: Mistake, cleaned: Mapping[str, Any]) -> None:
    for name in AUDITED_FIELDS:
        if name not in MANY_FIELDS:
            setattr(mistake, name, cleaned[name])


def _assign_many(mistake: Mistake, cleaned: Mapping[str, Any]) -> None:
    mistake.restricted_to.set(cleaned["restricted_to"])
    tags = [Tag.objects.get_or_create(name=name)[0] for name in cleaned["tags"]]
    mistake.tags.set(tags)


def _snapshot(
    mistake: Mistake,
    *,
    restricted_to: Iterable[AnyUser] | None = None,
    tags: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The audited fields as plain JSON values; the people and tag names when given are used
    instead of the mistake's own (those of a mistake not saved yet)."""
    values: dict[str, Any] = {}
    for name in AUDITED_FIELDS:
        if name == "restricted_to":
            people = mistake.restricted_to.all() if restricted_to is None else restricted_to
            values[name] = sorted(u.get_username() for u in people)
        elif name == "tags":
            names = (t.name for t in mistake.tags.all()) if tags is None else tags
            values[name] = sorted(names)
        else:
            value = getattr(mistake, name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif value is not None and not isinstance(value, str):
                value = str(value)
            values[name] = value
    return values


def _know_many(mistake: Mistake, *, restricted_to: list[User], tags: list[Tag]) -> None:
    """Keep what was just written as the mistake's people and tags, as a prefetch would, so
    reading them back (for the answer to the reporter) asks the database nothing."""
    prefetched = vars(mistake).setdefault("_prefetched_objects_cache", {})
    for name, rows in (("restricted_to", restricted_to), ("tags", tags)):
        known = getattr(mistake, name).get_queryset()
        known._result_cache = list(rows)
        known._prefetch_done = True
        prefetched[name] = known


def _label(field: str) -> str:
    return Mistake._meta.get_field(field).verbose_name.lower()  # type: ignore[union-attr]


def _tell_new_owner(mistake: Mistake, actor: AnyUser) -> None:
    """The new owner hears it is theirs, unless they made it so themselves."""
    if mistake.owner_id is None or (actor.is_authenticated and actor.pk == mistake.owner_id):
        return
    by = (actor.get_full_name() or actor.get_username()) if isinstance(actor, User) else "ownup"
    pk = mistake.pk

    def queue() -> None:
        from ownup.reporting.tasks import notify_owner  # the queue, only when one is sent

        notify_owner(pk, by)

    transaction.on_commit(queue)


def _announce(mistake_id: int) -> None:
    # Imported here: the task module needs the configured queue, which the forms above do not.
    from ownup.reporting.tasks import notify_reported

    notify_reported(mistake_id)
