"""The rules of monitoring a fix and closing a mistake.

A mistake's effectiveness checks are agreed while it is Decided or later; they run while it is
in Monitoring, each for its window. The scheduler finds the due checks in one indexed query,
claims each (check, slot) with a unique row before running it, so no slot runs twice however
many workers there are, and records every result. Enough failures in a row reopen the mistake
at Fixed; every check holding for its whole window verifies the fix, and the mistake closes with
its lesson.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core import signing
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from ownup.monitoring import probes, similarity
from ownup.monitoring.forms import DEFAULT_QUESTION, KIND_FIELDS, CheckForm, LessonForm
from ownup.monitoring.models import (
    CheckKind,
    CheckRun,
    Closure,
    EffectivenessCheck,
    Lesson,
    MonitoringPolicy,
    Outcome,
    Verdict,
)
from ownup.reporting import stages
from ownup.reporting.forms import BY_NAME
from ownup.reporting.models import Mistake, Stage, TimelineEntry
from ownup.reporting.services import (
    AnyUser,
    InvalidInput,
    NotAllowed,
    NotFound,
    can_act,
    can_see,
    people_to_notify,
)

# Checks may be agreed from the decision on: before the fix ships, as good practice asks.
STAGES_FOR_CHECKS = (Stage.DECIDED, Stage.FIXED, Stage.TOLD, Stage.MONITORING)
DEFAULT_INTERVAL_MINUTES = {
    CheckKind.HTTP: 5,
    CheckKind.METRIC: 5,
    CheckKind.COMMAND: 15,
    CheckKind.SQL: 60,
    CheckKind.CHECKIN: 7 * 1440,
    CheckKind.RECURRENCE: 60,
}
DEFAULT_GRACE_HOURS = 48.0
PROBE_THREADS = 64  # per worker process, shared by its worker threads
BATCH_SIZE = 200
CHECKIN_SALT = "ownup.monitoring.checkin"

PROBES: dict[str, Callable[[Mapping[str, Any]], probes.Result]] = {
    CheckKind.HTTP: probes.run_http,
    CheckKind.METRIC: probes.run_metric,
    CheckKind.COMMAND: probes.run_command,
    CheckKind.SQL: probes.run_sql,
}
CLEANERS: dict[str, Callable[[Mapping[str, Any], probes.Errors], dict[str, Any]]] = {
    CheckKind.HTTP: probes.clean_http,
    CheckKind.METRIC: probes.clean_metric,
    CheckKind.COMMAND: probes.clean_command,
    CheckKind.SQL: probes.clean_sql,
}

Slot = tuple[int, datetime]


# ------------------------------------------------------------------------- defining the checks


def checks_of(user: AnyUser, mistake: Mistake) -> QuerySet[EffectivenessCheck]:
    """A mistake's checks; the caller got the mistake through ``get_mistake`` (visibility)."""
    return mistake.checks.select_related("person").order_by("pk")


def get_check(user: AnyUser, mistake: Mistake, check_id: int | str) -> EffectivenessCheck:
    try:
        return checks_of(user, mistake).get(pk=int(check_id))
    except (EffectivenessCheck.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"no check #{check_id} on mistake #{mistake.pk}") from None


def add_check(mistake: Mistake, data: Mapping[str, Any], *, actor: AnyUser) -> EffectivenessCheck:
    """Agree a new effectiveness check for a mistake, validated whole."""
    if not can_act(actor, mistake):
        raise NotAllowed(
            "only the mistake's people, its team's responders and admins may add checks"
        )
    if mistake.stage_enum not in STAGES_FOR_CHECKS:
        raise InvalidInput(
            {
                "__all__": [
                    f"Checks are agreed once the fix is decided; this mistake is "
                    f"{mistake.get_stage_display().lower()}."
                ]
            }
        )
    unknown = set(data) - set(CheckForm.base_fields)
    if unknown:
        raise InvalidInput(
            {name: ["This is not a setting of a check."] for name in sorted(unknown)}
        )
    form = CheckForm(data={k: v for k, v in data.items() if v is not None})
    # Every problem at once: the kind's settings are checked even when a common one is wrong.
    errors: probes.Errors = {f: [str(m) for m in msgs] for f, msgs in form.errors.items()}
    cleaned = form.cleaned_data
    if "kind" not in cleaned:
        raise InvalidInput(errors)
    kind = CheckKind(cleaned["kind"])
    if kind == CheckKind.COMMAND and not getattr(actor, "is_superuser", False):
        raise NotAllowed("only an admin may add a command check: it runs on the server")
    config = _config(kind, cleaned, errors)
    person = None
    if kind == CheckKind.CHECKIN:
        person = _checkin_person(mistake, cleaned.get("person") or "", errors)
    if errors:
        raise InvalidInput(errors)
    policy = MonitoringPolicy.current()
    interval = cleaned["every"]
    if not interval and not cleaned["cron"]:
        interval = DEFAULT_INTERVAL_MINUTES[kind]
    failures = cleaned["failures_to_reopen"]
    if failures is None:
        # A recurrence is already the failure the fix was meant to prevent.
        failures = 1 if kind == CheckKind.RECURRENCE else policy.default_failures_to_reopen
    with transaction.atomic():
        check = EffectivenessCheck.objects.create(
            mistake=mistake,
            kind=kind,
            name=cleaned["name"].strip(),
            baseline=cleaned["baseline"].strip(),
            config=config,
            interval_minutes=interval,
            cron=cleaned["cron"],
            window_days=cleaned["window_days"] or policy.default_window_days,
            failures_to_reopen=failures,
            person=person,
            created_by=actor if actor.is_authenticated else None,
        )
        if mistake.stage == Stage.MONITORING:
            _start_window(check, timezone.now())
            check.save()
        TimelineEntry.objects.create(
            mistake=mistake,
            actor=actor if actor.is_authenticated else None,
            kind=TimelineEntry.Kind.EVENT,
            text=f"Agreed an effectiveness check: {check.name} ({check.get_kind_display()}, "
            f"{check.schedule_text}, for {check.window_days} days)",
        )
    return check


def remove_check(check: EffectivenessCheck, *, actor: AnyUser) -> None:
    mistake = check.mistake
    if not can_act(actor, mistake):
        raise NotAllowed(
            "only the mistake's people, its team's responders and admins may remove checks"
        )
    with transaction.atomic():
        TimelineEntry.objects.create(
            mistake=mistake,
            actor=actor if actor.is_authenticated else None,
            kind=TimelineEntry.Kind.EVENT,
            text=f"Removed the effectiveness check: {check.name}",
        )
        check.delete()


def _config(kind: CheckKind, cleaned: Mapping[str, Any], errors: probes.Errors) -> dict[str, Any]:
    given = {k: cleaned[k] for k in KIND_FIELDS[kind] if cleaned.get(k) not in (None, "")}
    if kind in CLEANERS:
        return CLEANERS[kind](given, errors)
    if kind == CheckKind.CHECKIN:
        return {
            "question": given.get("question") or DEFAULT_QUESTION,
            "grace_hours": given.get("grace_hours") or DEFAULT_GRACE_HOURS,
        }
    return {"threshold": given.get("threshold") or similarity.DEFAULT_THRESHOLD}


def people_to_ask(mistake: Mistake, limit: int = 50) -> list[User]:
    """Whom a check-in is likely to ask: the mistake's owner and reporter, its team, the owners
    of its actions; each with an email address and allowed to see it."""
    near = Q(pk__in=[mistake.owner_id, mistake.reporter_id]) | Q(
        pk__in=mistake.actions.values("owner_id")
    )
    if mistake.team_id:
        near |= Q(memberships__team_id=mistake.team_id)
    candidates = (
        User.objects.filter(near, is_active=True).exclude(email="").distinct().order_by(*BY_NAME)
    )
    return [person for person in candidates[:limit] if can_see(person, mistake)]


def _checkin_person(mistake: Mistake, username: str, errors: probes.Errors) -> User | None:
    person = User.objects.filter(username=username.strip(), is_active=True).first()
    if person is None:
        errors.setdefault("person", []).append(f"No active user named {username!r}.")
    elif not person.email:
        errors.setdefault("person", []).append(f"{username} has no email address to ask.")
    elif not can_see(person, mistake):
        errors.setdefault("person", []).append(f"{username} cannot see this mistake.")
    return person


# ------------------------------------------------------------------------------- the schedule


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def phase(check_id: int, period: timedelta) -> timedelta:
    """Where in each period an interval check's slots fall, to the second: the same for the check
    for ever, and spread evenly over the period across checks (as Prometheus spreads its scrape
    targets), so ten thousand checks every minute start about 170 a second, not all at once."""
    digest = hashlib.blake2b(check_id.to_bytes(8, "big"), digest_size=8).digest()
    return timedelta(seconds=int.from_bytes(digest, "big") % max(1, int(period.total_seconds())))


def _period(check: EffectivenessCheck) -> timedelta:
    return timedelta(minutes=check.interval_minutes or 1)


def _next_cron_time(schedule: str, after: datetime) -> datetime:
    # Imported here: only checks on a cron schedule need it, and every start of ownup loads this.
    from croniter import croniter

    return croniter(schedule, after).get_next(datetime)


def first_due(check: EffectivenessCheck, start: datetime) -> datetime:
    """The check's first slot from ``start`` on: the next cron time, or the next time on the
    check's own phase of its interval (within one interval)."""
    if check.cron:
        return _next_cron_time(check.cron, start)
    assert check.pk is not None, "a check's phase comes from its id: save it first"
    period = _period(check)
    base = EPOCH + phase(check.pk, period)
    return base + period * -((base - start) // period)  # rounds up to a whole period


def next_due(check: EffectivenessCheck, slot: datetime, now: datetime) -> datetime:
    """The first slot after both ``slot`` and ``now``: slots missed while no worker ran are not
    run late, and a slot dispatched ahead of time is followed by the one after it."""
    after = max(slot, now)
    if check.cron:
        return _next_cron_time(check.cron, after)
    period = _period(check)
    base = EPOCH + phase(check.pk, period)
    return base + period * ((after - base) // period + 1)


def _start_window(check: EffectivenessCheck, at: datetime) -> None:
    check.active = True
    check.window_started_at = at
    check.window_passes = check.window_failures = check.consecutive_failures = 0
    check.next_due_at = first_due(check, at)


def start_windows(mistake: Mistake, at: datetime, *, restart: bool = False) -> int:
    """The mistake entered Monitoring: the window starts now for each check without one (or for
    every check when it comes back to be verified again)."""
    checks = list(mistake.checks.filter(Q() if restart else Q(window_started_at__isnull=True)))
    for check in checks:
        _start_window(check, at)
    EffectivenessCheck.objects.bulk_update(
        checks,
        [
            "active",
            "window_started_at",
            "window_passes",
            "window_failures",
            "consecutive_failures",
            "next_due_at",
        ],
    )
    return len(checks)


def pause_checks(mistake: Mistake, *, reopened: bool) -> int:
    """The mistake left Monitoring: its checks stop. When it was reopened, their windows are
    over too, and start afresh when it is monitored again."""
    if reopened:
        return mistake.checks.update(active=False, next_due_at=None, window_started_at=None)
    return mistake.checks.update(active=False, next_due_at=None)


def dispatch(
    now: datetime | None = None,
    *,
    ahead: timedelta = timedelta(0),
    batch_size: int = BATCH_SIZE,
) -> list[list[Slot]]:
    """Find the checks due by ``now + ahead`` in one indexed query, move each on to its next
    slot, and return their slots in batches for the workers: the slots already due together,
    and each later slot with the others of the same second, so a batch can wait for its time.
    Running it twice is harmless: each slot is claimed once when it runs."""
    now = now or timezone.now()
    due = EffectivenessCheck.objects.filter(active=True, next_due_at__lte=now + ahead).only(
        "pk", "next_due_at", "interval_minutes", "cron", "window_started_at", "window_days"
    )
    by_time: dict[datetime | None, list[Slot]] = defaultdict(list)
    moves: dict[datetime | None, list[int]] = defaultdict(list)
    for check in due.order_by("next_due_at").iterator(chunk_size=2000):
        assert check.next_due_at is not None
        slot = check.next_due_at
        by_time[slot if slot > now else None].append((check.pk, slot))
        following: datetime | None = next_due(check, slot, now)
        ends = check.window_ends_at
        if ends is not None and following is not None and following > ends:
            following = None  # the window is over: the check has done its work
        moves[following].append(check.pk)
    with transaction.atomic():
        for following, pks in moves.items():
            for start in range(0, len(pks), 900):
                EffectivenessCheck.objects.filter(pk__in=pks[start : start + 900]).update(
                    next_due_at=following, active=following is not None
                )
    return [
        slots[i : i + batch_size]
        for _, slots in sorted(by_time.items(), key=lambda item: item[0] or EPOCH)
        for i in range(0, len(slots), batch_size)
    ]


# ---------------------------------------------------------------------------------- the runs


def claim(slots: Iterable[Slot]) -> list[CheckRun]:
    """Take the slots not yet taken by anyone: the unique (check, slot) row is the claim."""
    token = uuid.uuid4().hex
    now = timezone.now()
    slots = list(slots)
    # A check removed since its slot was queued (ahead of time, perhaps) has nothing to run.
    present = set(
        EffectivenessCheck.objects.filter(pk__in={pk for pk, _ in slots}).values_list(
            "pk", flat=True
        )
    )
    CheckRun.objects.bulk_create(
        [
            CheckRun(check_ref_id=pk, slot=slot, claim=token, started_at=now)
            for pk, slot in slots
            if pk in present
        ],
        ignore_conflicts=True,
    )
    return list(
        CheckRun.objects.filter(claim=token).select_related(
            "check_ref__mistake", "check_ref__person"
        )
    )


def run_slots(slots: Sequence[Slot]) -> list[CheckRun]:
    """Run the due slots not yet run elsewhere: what a worker does with a batch."""
    claimed = claim(slots)
    try:
        return run_claimed(claimed, scheduled=True)
    except Exception as error:
        # The slots stay claimed, so no one runs them again; say why they have no result
        # instead of leaving them running for ever. The error still reaches the worker's log.
        CheckRun.objects.filter(pk__in=[r.pk for r in claimed], outcome=Outcome.RUNNING).update(
            outcome=Outcome.FAILED,
            detail=probes._cap(f"the worker could not finish the run: {error}"),
        )
        raise


def run_now(check: EffectivenessCheck) -> CheckRun:
    """Run a check at once (a person asked), beside its schedule."""
    slot = timezone.now()
    while not (claimed := claim([(check.pk, slot)])):
        slot += timedelta(microseconds=1)  # two asks in the same instant are two runs
    return run_claimed(claimed, scheduled=False)[0]


def run_claimed(runs: list[CheckRun], *, scheduled: bool) -> list[CheckRun]:
    if scheduled:
        # A mistake reopened after the slot was dispatched: its checks wait for the next window.
        stale = [r for r in runs if r.check_ref.mistake.stage != Stage.MONITORING]
        if stale:
            CheckRun.objects.filter(pk__in=[r.pk for r in stale]).delete()
            EffectivenessCheck.objects.filter(pk__in={r.check_ref_id for r in stale}).update(
                active=False, next_due_at=None
            )
            runs = [r for r in runs if r not in stale]
    probed = [r for r in runs if r.check_ref.kind in PROBES]
    outcomes = list(_probe_pool().map(_probe, probed))
    for run in runs:
        if run.check_ref.kind == CheckKind.RECURRENCE:
            started = timezone.now()
            result = _recurrence(run)
            outcomes.append((run, result, started, _millis(started)))
    record(outcomes)
    for run in runs:
        if run.check_ref.kind == CheckKind.CHECKIN:
            _ask(run)
    return runs


_probe_threads: ThreadPoolExecutor | None = None
_probe_threads_made = threading.Lock()


def _probe_pool() -> ThreadPoolExecutor:
    """The process's probe threads, kept from batch to batch: starting 32 threads for every
    batch took a busy worker longer than the batch's probes."""
    global _probe_threads
    with _probe_threads_made:
        if _probe_threads is None:
            _probe_threads = ThreadPoolExecutor(PROBE_THREADS, thread_name_prefix="ownup-probe")
        return _probe_threads


def _millis(since: datetime) -> int:
    return int((timezone.now() - since).total_seconds() * 1000)


def _probe(run: CheckRun) -> tuple[CheckRun, probes.Result, datetime, int]:
    started = timezone.now()
    result, took = probes.timed(PROBES[run.check_ref.kind], run.check_ref.config)
    return run, result, started, took


def _recurrence(run: CheckRun) -> probes.Result:
    check = run.check_ref
    since = check.window_started_at or check.created_at
    threshold = float(check.config.get("threshold") or similarity.DEFAULT_THRESHOLD)
    found = similarity.similar_reports(check.mistake, since, threshold)
    if not found:
        return probes.Result(True, f"no similar report since {since:%Y-%m-%d %H:%M}")
    first = found[0]
    run.related_mistake = first.mistake
    names = "; ".join(f"#{m.mistake.pk} {m.mistake.title} ({m.why})" for m in found[:5])
    return probes.Result(False, f"it happened again: {names}")


def _in_window(check: EffectivenessCheck, slot: datetime) -> bool:
    ends = check.window_ends_at
    return (
        check.mistake.stage == Stage.MONITORING
        and check.window_started_at is not None
        and ends is not None
        and check.window_started_at <= slot <= ends
    )


def record(outcomes: Sequence[tuple[CheckRun, probes.Result, datetime, int]]) -> None:
    """Write the results: passes in bulk, failures one by one, as each may reopen its mistake."""
    now = timezone.now()
    passed_in_window = []
    failed = []
    for run, result, started, took in outcomes:
        run.started_at = started
        run.duration_ms = took
        run.outcome = Outcome.PASSED if result.passed else Outcome.FAILED
        run.detail = probes._cap(result.detail)
        run.in_window = _in_window(run.check_ref, run.slot)
        if not result.passed:
            failed.append(run)
        elif run.in_window:
            passed_in_window.append(run.check_ref_id)
    _write_results([run for run, *_ in outcomes])
    for start in range(0, len(passed_in_window), 900):
        EffectivenessCheck.objects.filter(pk__in=passed_in_window[start : start + 900]).update(
            window_passes=F("window_passes") + 1,
            consecutive_failures=0,
            last_run_at=now,
            last_outcome=Outcome.PASSED,
        )
    others = [o[0].check_ref_id for o in outcomes if o[1].passed and not o[0].in_window]
    EffectivenessCheck.objects.filter(pk__in=others).update(
        last_run_at=now, last_outcome=Outcome.PASSED
    )
    for run in failed:
        _failed(run)


RESULT_FIELDS = ("started_at", "duration_ms", "outcome", "detail", "in_window", "related_mistake")


def _write_results(runs: Sequence[CheckRun]) -> None:
    """One UPDATE statement run for every row at once (``executemany``): a batch of 200 results
    takes SQLite 3 ms, where an ORM UPDATE per run takes 25 ms and a bulk update's CASE over
    every row 100 ms or more; PostgreSQL pipelines it."""
    if not runs:
        return
    meta, quote = CheckRun._meta, connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if field.name in RESULT_FIELDS]
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    statement = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"
    )
    rows = [
        (
            *(field.get_db_prep_save(getattr(run, field.attname), connection) for field in fields),
            run.pk,
        )
        for run in runs
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(statement, rows)


def _failed(run: CheckRun) -> None:
    with transaction.atomic():
        check = EffectivenessCheck.objects.select_for_update().get(pk=run.check_ref_id)
        check.last_run_at = timezone.now()
        check.last_outcome = Outcome.FAILED
        if run.in_window:
            check.window_failures += 1
            check.consecutive_failures += 1
        check.save(
            update_fields=[
                "last_run_at",
                "last_outcome",
                "window_failures",
                "consecutive_failures",
            ]
        )
        if run.in_window and check.consecutive_failures >= check.failures_to_reopen:
            _reopen(check, run)


def _reopen(check: EffectivenessCheck, run: CheckRun) -> None:
    mistake = Mistake.objects.select_for_update().get(pk=check.mistake_id)
    if mistake.stage != Stage.MONITORING:
        return  # another check reopened it a moment ago
    now = timezone.now()
    count = check.consecutive_failures
    in_a_row = "once" if count == 1 else f"{count} times in a row"
    stages.move(
        mistake,
        Stage.FIXED,
        actor=None,
        reason=f"the effectiveness check '{check.name}' failed {in_a_row}: {run.detail}",
    )
    EffectivenessCheck.objects.filter(pk=check.pk).update(reopened_at=now)
    evidence = list(
        check.runs.filter(outcome=Outcome.FAILED, in_window=True).order_by("-slot")[:count]
    )
    TimelineEntry.objects.create(
        mistake=mistake,
        at=now,
        kind=TimelineEntry.Kind.EVENT,
        text=f"Not effective: the check '{check.name}' failed. Evidence: "
        + "; ".join(f"{r.slot:%Y-%m-%d %H:%M} {r.detail}" for r in reversed(evidence)),
        changes={
            "check": check.pk,
            "verdict": Verdict.NOT_EFFECTIVE.value,
            "runs": [r.pk for r in evidence],
            "related_mistake": run.related_mistake_id,
        },
    )
    transaction.on_commit(lambda: _enqueue_reopened(mistake.pk, check.pk))


def _enqueue_reopened(mistake_id: int, check_id: int) -> None:
    from ownup.monitoring.tasks import notify_reopened

    notify_reopened(mistake_id, check_id)


# ------------------------------------------------------------------------------- check-ins


def _ask(run: CheckRun) -> None:
    check = run.check_ref
    grace = timedelta(hours=float(check.config.get("grace_hours") or DEFAULT_GRACE_HOURS))
    person = check.person
    if person is None or not person.is_active or not can_see(person, check.mistake):
        outcome = (run, probes.Result(False, "nobody who can see the mistake to ask"), run.slot, 0)
        record([outcome])
        return
    CheckRun.objects.filter(pk=run.pk).update(
        outcome=Outcome.WAITING,
        answer_due_at=timezone.now() + grace,
        detail=f"asked {person.get_full_name() or person.get_username()}",
        in_window=_in_window(check, run.slot),
    )
    from ownup.monitoring.tasks import send_checkin

    transaction.on_commit(lambda: send_checkin(run.pk))


def checkin_token(run: CheckRun, answer: str) -> str:
    return signing.dumps({"run": run.pk, "answer": answer}, salt=CHECKIN_SALT)


def read_checkin_token(token: str) -> tuple[CheckRun, str]:
    try:
        data = signing.loads(token, salt=CHECKIN_SALT)
        run = CheckRun.objects.select_related("check_ref__mistake", "check_ref__person").get(
            pk=data["run"], check_ref__kind=CheckKind.CHECKIN
        )
    except (signing.BadSignature, CheckRun.DoesNotExist, KeyError, TypeError):
        raise NotFound("this check-in link is not valid (or the check was removed)") from None
    if data.get("answer") not in {"yes", "no"}:
        raise NotFound("this check-in link is not valid")
    return run, data["answer"]


def answer_checkin(run: CheckRun, answer: str, *, comment: str = "") -> CheckRun:
    """Record a person's answer to 'is it still fine?'; 'no' is a failure like any other."""
    if answer not in {"yes", "no"}:
        raise InvalidInput({"answer": ["Answer yes or no."]})
    with transaction.atomic():
        run = (
            CheckRun.objects.select_for_update(of=("self",))
            .select_related("check_ref__mistake", "check_ref__person")
            .get(pk=run.pk)
        )
        if run.outcome != Outcome.WAITING:
            raise InvalidInput({"answer": ["This check-in is already answered or expired."]})
        who = run.check_ref.person
        name = who.get_full_name() or who.get_username() if who else "someone"
        said = "yes, still fine" if answer == "yes" else "no, it is not fine"
        detail = f"{name} answered: {said}" + (f" — {comment.strip()}" if comment.strip() else "")
        started = run.started_at or run.slot
        record([(run, probes.Result(answer == "yes", detail), started, _millis(started))])
    return run


def waiting_checkins(user: AnyUser, mistake: Mistake) -> list[CheckRun]:
    if not user.is_authenticated:
        return []
    return list(
        CheckRun.objects.filter(
            check_ref__mistake=mistake, check_ref__person=user, outcome=Outcome.WAITING
        ).select_related("check_ref")
    )


def expire_checkins(now: datetime | None = None) -> int:
    """A check-in nobody answered within its grace period counts as a miss."""
    now = now or timezone.now()
    expired = list(
        CheckRun.objects.filter(outcome=Outcome.WAITING, answer_due_at__lt=now).select_related(
            "check_ref__mistake", "check_ref__person"
        )
    )
    for run in expired:
        grace = run.check_ref.config.get("grace_hours") or DEFAULT_GRACE_HOURS
        started = run.started_at or run.slot
        result = probes.Result(False, f"no answer within {grace:g} hours")
        record([(run, result, started, _millis(started))])
    return len(expired)


# ------------------------------------------------------------------------ verdicts and closing


@dataclass(frozen=True)
class Evaluation:
    """Where a mistake's checks stand: each one's verdict, and what they add up to."""

    verdicts: list[tuple[EffectivenessCheck, Verdict]]

    @property
    def verified(self) -> bool:
        return bool(self.verdicts) and all(v == Verdict.EFFECTIVE for _, v in self.verdicts)

    @property
    def overall(self) -> str:
        found = {v for _, v in self.verdicts}
        if not found:
            return "no checks yet"
        if Verdict.NOT_EFFECTIVE in found:
            return "not effective"
        if found == {Verdict.NOT_STARTED}:
            return "agreed"
        if found & {Verdict.IN_PROGRESS, Verdict.NOT_STARTED}:
            return "in progress"
        if found & {Verdict.PARTIAL, Verdict.NO_EVIDENCE}:
            return "partially effective"
        return "effective"

    def why_not_verified(self) -> str:
        if not self.verdicts:
            return "it has no effectiveness check"
        pending = [c.name for c, v in self.verdicts if v != Verdict.EFFECTIVE]
        return "not every check has held for its window: " + ", ".join(pending)


def evaluate(mistake: Mistake, now: datetime | None = None) -> Evaluation:
    now = now or timezone.now()
    return Evaluation([(c, c.verdict(now)) for c in mistake.checks.order_by("pk")])


def results_in_words(mistake: Mistake, now: datetime | None = None) -> list[str]:
    """Each check and how it went, as a message to the people told can say it."""
    now = now or timezone.now()
    lines = []
    for check, verdict in evaluate(mistake, now).verdicts:
        days = f"{check.window_days} day{pluralize(check.window_days)}"
        ends = check.window_ends_at
        until = date_format(timezone.localtime(ends), "j F Y") if ends else ""
        said = {
            Verdict.EFFECTIVE: f"it held every time we checked, over {days}",
            Verdict.PARTIAL: f"it held {check.window_passes} of "
            f"{check.window_passes + check.window_failures} times over {days}; we are adding "
            "to the fix",
            Verdict.NOT_EFFECTIVE: "it did not hold, so we took the fix up again",
            Verdict.IN_PROGRESS: f"we are checking it until {until}",
            Verdict.NOT_STARTED: f"we check it for {days} once the fix is in place",
            Verdict.NO_EVIDENCE: "we could not check it yet",
        }[verdict]
        lines.append(f"{check.name}: {said}")
    return lines


def lesson_of(mistake: Mistake) -> Lesson | None:
    return Lesson.objects.filter(mistake=mistake).first()


@stages.requirement(Stage.MONITORING)
def needs_a_check(mistake: Mistake) -> str | None:
    if not mistake.checks.exists():
        return "no effectiveness check is agreed yet"
    return None


@stages.requirement(Stage.CLOSED)
def needs_verification_and_lesson(mistake: Mistake) -> str | None:
    missing = []
    evaluation = evaluate(mistake)
    if not evaluation.verified:
        missing.append(evaluation.why_not_verified())
    if lesson_of(mistake) is None:
        missing.append("no lesson is written yet")
    return "; ".join(missing) or None


def write_lesson(mistake: Mistake, data: Mapping[str, Any], *, actor: AnyUser) -> Lesson:
    """Write (or rewrite) the lesson; names of people are taken out before it is kept."""
    if not can_act(actor, mistake):
        raise NotAllowed(
            "only the mistake's people, its team's responders and admins may write its lesson"
        )
    form = LessonForm(data={k: v for k, v in data.items() if k in ("learned", "advice")})
    form.fields["reason"].required = False
    if not form.is_valid():
        raise InvalidInput({f: [str(m) for m in msgs] for f, msgs in form.errors.items()})
    lesson, _ = Lesson.objects.update_or_create(
        mistake=mistake,
        defaults={
            "learned": deidentify(form.cleaned_data["learned"]),
            "advice": deidentify(form.cleaned_data["advice"]),
            "tags": sorted(mistake.tags.values_list("name", flat=True)),
            "verified_effective": evaluate(mistake).verified,
            "written_at": timezone.now(),
        },
    )
    return lesson


def deidentify(text: str) -> str:
    """The text with the names of the organisation's people replaced by 'someone'."""
    names: set[str] = set()
    for username, first, last in User.objects.values_list("username", "first_name", "last_name"):
        # Short usernames would match ordinary words; people's names are names even when short.
        names.update(n for n in (first, last, f"{first} {last}".strip()) if len(n) >= 2)
        if len(username) >= 3:
            names.add(username)
    text = text.strip()
    if not names:
        return text
    pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))

    def someone(match: re.Match[str]) -> str:
        before = text[: match.start()].rstrip()
        return "Someone" if not before or before[-1] in ".!?\n" else "someone"

    return re.sub(rf"\b(?:{pattern})\b", someone, text, flags=re.IGNORECASE)


def close(
    mistake: Mistake,
    data: Mapping[str, Any],
    *,
    actor: AnyUser,
) -> Closure:
    """Close a mistake with its lesson: verified when every check held for its window,
    otherwise with a reason."""
    if not can_act(actor, mistake):
        raise NotAllowed("only the mistake's people, its team's responders and admins may close it")
    if mistake.stage == Stage.CLOSED:
        raise stages.StageError("the mistake is already closed")
    form = LessonForm(data=dict(data))
    if not form.is_valid():
        raise InvalidInput({f: [str(m) for m in msgs] for f, msgs in form.errors.items()})
    evaluation = evaluate(mistake)
    reason = form.cleaned_data["reason"].strip()
    if not evaluation.verified and not reason:
        raise InvalidInput(
            {
                "reason": [
                    f"Closing without verification needs a reason: {evaluation.why_not_verified()}."
                ]
            }
        )
    with transaction.atomic():
        write_lesson(mistake, form.cleaned_data, actor=actor)
        return _close(mistake, actor=actor, reason=reason)


def _close(mistake: Mistake, *, actor: AnyUser | None, reason: str) -> Closure:
    who = actor if actor is not None and actor.is_authenticated else None
    stages.move(mistake, Stage.CLOSED, actor=who, reason=reason)
    return Closure.objects.filter(mistake=mistake).order_by("-at", "-pk")[0]


def record_closure(mistake: Mistake, entry: TimelineEntry) -> Closure:
    """However the mistake was closed (here, or moved by any interface): how, and thanks."""
    thanked = people_to_thank(mistake)
    closure = Closure.objects.create(
        mistake=mistake,
        at=entry.at,
        verified=evaluate(mistake, entry.at).verified,
        reason=(entry.changes or {}).get("reason", ""),
        closed_by=entry.actor,
        thanked=[name for name, _ in thanked],
    )
    if thanked:
        TimelineEntry.objects.create(
            mistake=mistake,
            at=entry.at,
            kind=TimelineEntry.Kind.EVENT,
            text=f"Thank you, {and_list([n for n, _ in thanked])}, for owning it, fixing it "
            f"and making sure the fix holds.",
            changes={"thanked": closure.thanked},
        )
    transaction.on_commit(lambda: _enqueue_thanks(closure.pk))
    return closure


def _enqueue_thanks(closure_id: int) -> None:
    from ownup.monitoring.tasks import thank_the_team

    thank_the_team(closure_id)


def and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def people_to_thank(mistake: Mistake) -> list[tuple[str, User]]:
    """Everyone who worked on it: the reporter (unless anonymous), the owner, everyone who acted
    on its timeline and everyone asked by a check-in."""
    ids = set(
        TimelineEntry.objects.filter(mistake=mistake, actor__isnull=False).values_list(
            "actor_id", flat=True
        )
    )
    ids.update(pk for pk in (mistake.owner_id, mistake.reporter_id) if pk)
    ids.update(mistake.checks.filter(person__isnull=False).values_list("person_id", flat=True))
    people = User.objects.filter(pk__in=ids, is_active=True).order_by("first_name", "username")
    return [(p.get_full_name() or p.get_username(), p) for p in people]


def close_verified(now: datetime | None = None) -> list[int]:
    """Close the monitored mistakes whose every check held for its window, when the organisation
    lets them close by themselves and the lesson is written; otherwise tell the owner once."""
    now = now or timezone.now()
    policy = MonitoringPolicy.current()
    done = (
        Mistake.objects.filter(stage=Stage.MONITORING, checks__isnull=False)
        .exclude(checks__active=True)
        .distinct()
    )
    closed = []
    for mistake in done:
        evaluation = evaluate(mistake, now)
        if not evaluation.verified:
            continue
        if not policy.sign_off_required and lesson_of(mistake) is not None:
            with transaction.atomic():
                _close(mistake, actor=None, reason="")
            closed.append(mistake.pk)
            continue
        window_start = min(c.window_started_at or now for c, _ in evaluation.verdicts)
        told = mistake.timeline.filter(
            kind=TimelineEntry.Kind.EVENT, changes__verdict="effective", at__gte=window_start
        ).exists()
        if not told:
            still = "a person to sign it off" if policy.sign_off_required else "its lesson"
            TimelineEntry.objects.create(
                mistake=mistake,
                kind=TimelineEntry.Kind.EVENT,
                text=f"Verified effective: every check held for its window. It waits for {still}.",
                changes={"verdict": "effective"},
            )
    return closed


# ----------------------------------------------------------------------------- who hears it


def people_to_tell(mistake: Mistake) -> list[User]:
    """The owner and the team's responders, never someone who may not see the mistake."""
    people = {p.pk: p for p in people_to_notify(mistake)}
    if mistake.owner and mistake.owner.email and mistake.owner.is_active:
        people[mistake.owner.pk] = mistake.owner
    return [p for p in people.values() if p.email and can_see(p, mistake)]


def runs_for_chart(check: EffectivenessCheck, limit: int = 60) -> list[CheckRun]:
    done = check.runs.exclude(outcome__in=[Outcome.RUNNING]).order_by("-slot")[:limit]
    return list(reversed(done))


def history(check: EffectivenessCheck, limit: int = 200) -> QuerySet[CheckRun]:
    return check.runs.select_related("related_mistake").order_by("-slot", "-pk")[:limit]


def visible_related(user: AnyUser, runs: Iterable[CheckRun]) -> set[int]:
    ids = {r.related_mistake_id for r in runs if r.related_mistake_id}
    return set(Mistake.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
