"""Reports that arrive from elsewhere: alerts from monitoring, and Slack's slash command.

An alert is reported once. The same alert firing again while its mistake is open adds to that
mistake's timeline instead of reporting it twice; once the mistake is closed, a new firing is a
new report. Alerts come as Prometheus Alertmanager's webhook sends them (Grafana's alerting sends
the same shape), or as one plain object that any script can send.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ownup.organisation.models import Severity, Team
from ownup.organisation.services import connect_slack, person_in_slack
from ownup.reporting import services, waiting
from ownup.reporting.forms import TAG_MAX_LENGTH, MistakeForm
from ownup.reporting.models import (
    ALERT_KEY_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AlertKey,
    DiscoveredBy,
    Mistake,
    Stage,
    TimelineEntry,
    UsedSlackLink,
)
from ownup.reporting.services import AnyUser, InvalidInput

MAX_ALERTS = 100
# Slack refuses to wait longer, and a request signed longer ago than this may be a replay.
SLACK_MAX_AGE = timedelta(minutes=5)


@dataclass(frozen=True)
class Alert:
    key: str
    title: str
    description: str = ""
    firing: bool = True
    started_at: datetime | None = None
    severity: str | None = None
    team: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Received:
    alert: Alert
    mistake: Mistake | None  # None: a resolved alert with no open mistake to tell
    created: bool


def alerts_from(payload: Mapping[str, Any]) -> list[Alert]:
    """The alerts of a request body: Alertmanager's webhook, or one plain alert."""
    if "alerts" in payload:
        given = payload["alerts"]
        if not isinstance(given, list) or not all(isinstance(a, dict) for a in given):
            raise InvalidInput({"alerts": ["Give the alerts as a list of objects."]})
        if len(given) > MAX_ALERTS:
            raise InvalidInput({"alerts": [f"Send at most {MAX_ALERTS} alerts at a time."]})
        return [_alertmanager_alert(a) for a in given]
    return [_plain_alert(payload)]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _labels(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _alertmanager_alert(given: Mapping[str, Any]) -> Alert:
    labels = _labels(given.get("labels"))
    notes = _labels(given.get("annotations"))
    title = notes.get("summary") or labels.get("alertname") or ""
    if not title:
        raise InvalidInput({"alerts": ["An alert needs a summary or an alertname to be told by."]})
    key = (
        _text(given.get("fingerprint"))
        or hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()
    )
    described = [notes.get("description", "")]
    described += [f"{name}: {value}" for name, value in sorted(labels.items())]
    if url := _text(given.get("generatorURL")):
        described.append(f"source: {url}")
    return Alert(
        key=key[:ALERT_KEY_MAX_LENGTH],
        title=title[:TITLE_MAX_LENGTH],
        description="\n".join(line for line in described if line)[:DESCRIPTION_MAX_LENGTH],
        firing=_text(given.get("status")) != "resolved",
        started_at=_moment(_text(given.get("startsAt"))),
        severity=labels.get("severity"),
        team=labels.get("team"),
        tags=[labels["alertname"].lower()[:TAG_MAX_LENGTH]] if labels.get("alertname") else [],
    )


def _plain_alert(given: Mapping[str, Any]) -> Alert:
    title = _text(given.get("title"))
    if not title:
        raise InvalidInput(
            {"title": ['Say what went wrong, as {"title": "...", "key": "..."}, or send alerts.']}
        )
    status = _text(given.get("status")) or "firing"
    if status not in ("firing", "resolved"):
        raise InvalidInput({"status": ["The status is firing or resolved."]})
    tags = given.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput({"tags": ["Give tags as a list of words."]})
    started = _text(given.get("started_at"))
    started_at = _moment(started)
    if started and started_at is None:
        raise InvalidInput({"started_at": ["Give a date and time such as 2026-03-01T09:30Z."]})
    return Alert(
        key=(_text(given.get("key")) or title)[:ALERT_KEY_MAX_LENGTH],
        title=title[:TITLE_MAX_LENGTH],
        description=_text(given.get("description"))[:DESCRIPTION_MAX_LENGTH],
        firing=status == "firing",
        started_at=started_at,
        severity=_text(given.get("severity")) or None,
        team=_text(given.get("team")) or None,
        tags=tags,
    )


def _moment(text: str) -> datetime | None:
    """A date and time as monitoring writes it (ISO 8601); one without a zone is in UTC."""
    try:
        found = parse_datetime(text) if text else None
    except ValueError:  # well formed but impossible, like month 13
        return None
    if found is not None and timezone.is_naive(found):
        found = timezone.make_aware(found, UTC)
    return found


def receive(alerts: list[Alert], *, reporter: AnyUser) -> list[Received]:
    """Report each new alert, and tell an open mistake that its alert fired again or resolved.

    All in one transaction: a request's alerts are all taken, or none is.
    """
    with transaction.atomic():
        return [_receive(alert, reporter) for alert in alerts]


def _receive(alert: Alert, reporter: AnyUser) -> Received:
    now = timezone.now()
    known = AlertKey.objects.select_related("mistake").filter(key=alert.key).first()
    open_one = (
        known.mistake
        if known
        and known.mistake.stage != Stage.CLOSED
        and Mistake.objects.visible_to(reporter).filter(pk=known.mistake_id).exists()
        else None
    )
    if open_one is not None and known is not None:
        if alert.firing:  # counted in the database, so two firings at once both count
            AlertKey.objects.filter(pk=known.pk).update(times=F("times") + 1, last_at=now)
        _event(open_one, "The alert fired again" if alert.firing else "The alert resolved", now)
        return Received(alert, open_one, created=False)
    if not alert.firing:
        return Received(alert, None, created=False)
    mistake = services.report(_report_fields(alert, now), reporter=reporter)
    if known:
        AlertKey.objects.filter(pk=known.pk).update(mistake=mistake, times=1, last_at=now)
    else:
        try:
            with transaction.atomic():
                AlertKey.objects.create(key=alert.key, mistake=mistake, last_at=now)
        except IntegrityError:  # reported at the same moment by another request: keep the newer
            AlertKey.objects.filter(key=alert.key).update(mistake=mistake, times=1, last_at=now)
    return Received(alert, mistake, created=True)


def _report_fields(alert: Alert, now: datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": alert.title,
        "description": alert.description,
        "discovered_by": DiscoveredBy.CHECK,
        # The monitoring noticed it when the alert started firing (its clock may run a little
        # ahead of ours); when it happened, before that, nobody can say yet.
        "noticed_at": min(alert.started_at, now) if alert.started_at else now,
        "tags": alert.tags,
    }
    # Labels name severities and teams in the monitoring's words: the ones ownup knows are used,
    # the others stay in the description rather than refusing the alert.
    if alert.severity and (found := Severity.objects.filter(name__iexact=alert.severity).first()):
        fields["severity"] = found.name
    if alert.team and Team.objects.filter(slug=alert.team).exists():
        fields["team"] = alert.team
    return fields


def url_of(mistake: Mistake) -> str:
    return settings.BASE_URL + mistake.get_absolute_url()


def _event(mistake: Mistake, text: str, at: datetime) -> None:
    TimelineEntry.objects.create(mistake=mistake, at=at, kind=TimelineEntry.Kind.EVENT, text=text)


# -------------------------------------------------------------------- Slack's slash command


def slack_signature_holds(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether a request was signed by Slack with this app's signing secret, and lately."""
    if not secret or not timestamp.isdigit():
        return False
    sent = datetime.fromtimestamp(int(timestamp), tz=UTC)
    if abs(timezone.now() - sent) > SLACK_MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


SLACK_USAGE = (
    "Report a mistake in one sentence: /ownup report Sent the March invoices twice. "
    "See what is waiting for you: /ownup waiting. "
    "Connect your Slack account to ownup: /ownup connect"
)
SLACK_CONNECT_SALT = "ownup.reporting.slack-connect"
# The link is shown to one person in Slack; an hour is long enough to log in and short enough
# that a link seen later over their shoulder has stopped working.
SLACK_CONNECT_MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class SlackAsk:
    """Who typed ``/ownup`` in Slack, in which workspace, and the report they typed, if any."""

    workspace: str
    slack_user: str
    slack_name: str
    title: str = ""
    nonce: str = ""  # set when a link is made: what tells a link followed twice


class LinkRefused(ValueError):
    """A connection link that is not one ownup made, or that has stopped working."""


def slack_command(ask: SlackAsk, verb: str) -> str:
    """What Slack's ``/ownup`` answers: a report made as the person's connected ownup account,
    or the link that connects it (and then makes the report)."""
    if verb == "connect":
        link = connect_link(SlackAsk(ask.workspace, ask.slack_user, ask.slack_name))
        return f"<{link}|Connect your Slack account to ownup> (the link works for an hour)."
    if verb == "waiting":
        return _waiting_in_slack(ask)
    if verb != "report" or not ask.title:
        return SLACK_USAGE
    form = MistakeForm(data={"title": ask.title}, validating_only=True)
    if not form.is_valid():
        return " ".join(str(message) for messages in form.errors.values() for message in messages)
    reporter = person_in_slack(ask.workspace, ask.slack_user)
    if reporter is None:
        return (
            f"First <{connect_link(ask)}|connect your Slack account to ownup> (the link works "
            "for an hour): your report is made as soon as it is connected."
        )
    try:
        mistake = services.report({"title": ask.title}, reporter=reporter)
    except InvalidInput as refused:
        return " ".join(message for messages in refused.errors.values() for message in messages)
    return f"Reported {_slack_link(mistake)}. Thank you for owning it early."


SLACK_WAITING_SHOWN = 10


def _waiting_in_slack(ask: SlackAsk) -> str:
    person = person_in_slack(ask.workspace, ask.slack_user)
    if person is None:
        link = connect_link(SlackAsk(ask.workspace, ask.slack_user, ask.slack_name))
        return f"First <{link}|connect your Slack account to ownup> (the link works for an hour)."
    items = waiting.everything_for(person)
    if not items:
        return "Nothing is waiting for you."
    lines = [
        f"• <{settings.BASE_URL}{item.url}|{_slack_escaped(item.what)}>"
        + (f" ({'late, ' if item.late else ''}due {item.due:%-d %b})" if item.due else "")
        + f" · #{item.mistake.pk} {_slack_escaped(item.mistake.title)}"
        for item in items[:SLACK_WAITING_SHOWN]
    ]
    if len(items) > SLACK_WAITING_SHOWN:
        more = len(items) - SLACK_WAITING_SHOWN
        lines.append(f"<{settings.BASE_URL}{reverse('reporting:list')}|and {more} more>")
    return "Waiting for you:\n" + "\n".join(lines)


def slack_ask(
    verb_and_text: str, *, workspace: str, slack_user: str, slack_name: str
) -> tuple[SlackAsk, str]:
    """The ask and its verb (lower case) from the command's text, as Slack sends it."""
    verb, _, rest = verb_and_text.strip().partition(" ")
    return SlackAsk(workspace, slack_user, slack_name, rest.strip()), verb.lower()


def connect_link(ask: SlackAsk) -> str:
    given = {**asdict(ask), "nonce": secrets.token_urlsafe(12)}
    token = signing.dumps(given, salt=SLACK_CONNECT_SALT, compress=True)
    return settings.BASE_URL + reverse("reporting:slack_connect", args=[token])


def asked_in(token: str) -> SlackAsk:
    """The ask a connection link carries; :class:`LinkRefused` if it is not to be followed."""
    try:
        given = signing.loads(token, salt=SLACK_CONNECT_SALT, max_age=SLACK_CONNECT_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkRefused(
            "This link has stopped working: links work for an hour. Type /ownup connect in "
            "Slack for a new one."
        ) from None
    except signing.BadSignature:
        raise LinkRefused(
            "This is not a link ownup made: type /ownup connect in Slack for one."
        ) from None
    return SlackAsk(**given)


@dataclass(frozen=True)
class Connected:
    mistake: Mistake | None  # the report the link waited with, if it had one
    again: bool = False  # the link had been followed before: nothing was done this time


def connect_and_report(user: AnyUser, ask: SlackAsk) -> Connected:
    """Connect the Slack account of ``ask`` to ``user`` and make the report it waited with;
    a link followed a second time does neither again."""
    assert isinstance(user, User)  # the link's page is for people who are logged in
    with transaction.atomic():
        use, first = UsedSlackLink.objects.get_or_create(nonce=ask.nonce)
        if not first:
            return Connected(use.mistake, again=True)
        connect_slack(user, ask.workspace, ask.slack_user, ask.slack_name)
        if not ask.title:
            return Connected(None)
        use.mistake = services.report({"title": ask.title}, reporter=user)
        use.save(update_fields=["mistake"])
        return Connected(use.mistake)


def _slack_link(mistake: Mistake) -> str:
    return f"<{url_of(mistake)}|#{mistake.pk} {_slack_escaped(mistake.title)}>"


def _slack_escaped(text: str) -> str:
    """Slack reads &, < and > as its own markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
