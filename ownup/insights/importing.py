"""Import mistakes from JSON, CSV, or a folder of Markdown postmortems with YAML front matter.

Each record is checked by the reporting form's own rules (MistakeForm, with its look-ups served
from memory so a large file stays fast; a batch is checked a field at a time, each distinct value
once), then written in batches with a timeline entry saying where it came from. Every record
gets a stable key, SHA-256 of its ``url`` when it has one or of its content otherwise, so
importing a file twice adds nothing the second time.

A file that cannot be read at all (malformed JSON, CSV or front matter, unknown columns, a path
that does not exist) raises :class:`ImportRefused` before anything is written.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from django import forms
from django.contrib.auth.models import User
from django.db import transaction
from django.forms.utils import ErrorDict
from django.utils import timezone

from ownup.insights import totals
from ownup.insights.bulk import cycle_collector_paused, insert_rows, log_copied_aside, next_ids
from ownup.insights.models import ImportedRecord
from ownup.organisation.models import Membership, Severity, Team
from ownup.reporting.changes import mistakes_inserted
from ownup.reporting.forms import TAG_MAX_LENGTH, MistakeForm, TagsField, before_earliest
from ownup.reporting.models import TITLE_MAX_LENGTH, Mistake, Stage, Tag, TimelineEntry
from ownup.reporting.services import InvalidInput, owner_unable_to_see

# The fields a record may carry: the report's own, plus what a finished story or an export has.
STORY_FIELDS = ("reported_at", "stage", "contained_at", "fixed_at", "closed_at", "reporter", "url")
# Written by `ownup export` and read back without complaint, but not imported (ownup makes them).
EXPORT_ONLY = ("id", "next_step", "disclosure", "timeline")
EXPORT_ONLY_SET = frozenset(EXPORT_ONLY)
MARKDOWN_FIELDS = (
    "title",
    "company",
    "product",
    "categories",
    "keywords",
    "summary",
    "start_time",
    "end_time",
    "url",
    "uuid",
    "source",
)
# Records per transaction: fewer commits rewrite fewer pages of the tables' indexes, and the
# write lock is held for about half a second a batch at 10 000 records a second.
BATCH = 5000


class ImportRefused(ValueError):
    """The input as a whole cannot be imported; the message names the file and the problem."""


class UnreadableFile(ImportRefused):
    """One file that cannot be read: the whole input when it is the file given, one skipped
    record in a folder of them."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


@dataclass
class Skipped:
    where: str
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def invalid(self) -> list[Skipped]:
        return [s for s in self.skipped if not s.reason.startswith("already imported")]


@dataclass
class Candidate:
    """One record read from the input, not yet checked."""

    where: str
    data: dict[str, Any]
    unreadable: str = ""  # why a file of a folder could not be read, and so is skipped


@cycle_collector_paused()
def read(path: Path) -> list[Candidate]:
    """Every record of a JSON or CSV file or a folder of Markdown files, or ImportRefused."""
    if not path.exists():
        raise ImportRefused(f"{path}: no such file or folder")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.md") if p.is_file())
        if not files:
            raise ImportRefused(f"{path}: the folder has no Markdown (.md) files")
        return [_markdown_in_folder(file, path) for file in files]
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json(path)
    if suffix == ".csv":
        return _csv(path)
    if suffix == ".md":
        return [_markdown(path, path.parent)]
    raise ImportRefused(f"{path}: import reads .json, .csv, .md files or a folder of .md files")


def _allowed_fields() -> set[str]:
    return set(MistakeForm.base_fields) | set(STORY_FIELDS) | set(EXPORT_ONLY)


def _check_columns(path: Path, names: Iterable[str]) -> None:
    unknown = sorted(set(names) - _allowed_fields())
    if unknown:
        raise ImportRefused(
            f"{path}: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(known: {', '.join(sorted(set(MistakeForm.base_fields) | set(STORY_FIELDS)))})"
        )


def _json(path: Path) -> list[Candidate]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ImportRefused(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"{path}: malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    records = loaded.get("mistakes") if isinstance(loaded, dict) else loaded
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ImportRefused(f'{path}: expected a list of objects, or {{"mistakes": [...]}}')
    _check_columns(path, {name for record in records for name in record})
    name = path.name
    return [Candidate(f"{name} #{n}", record) for n, record in enumerate(records, start=1)]


def _csv(path: Path) -> list[Candidate]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, strict=True)
            if not reader.fieldnames:
                raise ImportRefused(f"{path}: empty, without a header row")
            _check_columns(path, reader.fieldnames)
            rows = []
            for row in reader:
                if None in row:
                    raise ImportRefused(
                        f"{path}: line {reader.line_num} has more values than the header names"
                    )
                rows.append(
                    Candidate(
                        f"{path.name} line {reader.line_num}",
                        {k: v for k, v in row.items() if v not in ("", None)},
                    )
                )
    except UnicodeDecodeError:
        raise ImportRefused(f"{path}: not UTF-8 text") from None
    except csv.Error as error:
        raise ImportRefused(f"{path}: malformed CSV: {error}") from None
    return rows


def _markdown(file: Path, root: Path) -> Candidate:
    where = str(file.relative_to(root)) if file != root else file.name
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UnreadableFile(where, "not UTF-8 text") from None
    if not text.startswith("---"):
        raise UnreadableFile(where, "no YAML front matter (the file must start with ---)")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise UnreadableFile(where, "the front matter is not closed by a --- line")
    try:
        front = yaml.safe_load(parts[0].removeprefix("---"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise UnreadableFile(where, f"malformed front matter{at}") from None
    if not isinstance(front, dict):
        raise UnreadableFile(where, "the front matter is not a set of fields")
    unknown = sorted(set(map(str, front)) - set(MARKDOWN_FIELDS))
    if unknown:
        raise UnreadableFile(where, f"unknown front matter field {', '.join(unknown)}")
    body = parts[1].split("\n", 1)[1].strip() if "\n" in parts[1] else ""
    return Candidate(where, _postmortem(front, body))


def _markdown_in_folder(file: Path, root: Path) -> Candidate:
    # One broken file of a collection is skipped and named, as an invalid record is.
    try:
        return _markdown(file, root)
    except UnreadableFile as unreadable:
        return Candidate(unreadable.where, {}, unreadable=unreadable.problem)


def _postmortem(front: dict[str, Any], body: str) -> dict[str, Any]:
    """A public postmortem as a finished story: what happened, when, and its categories."""
    about = " · ".join(str(front[k]) for k in ("company", "product") if front.get(k))
    description = "\n\n".join(
        part for part in (about, str(front.get("summary") or "").strip(), body) if part
    )
    tags = [*_words(front.get("categories")), *_words(front.get("keywords"))]
    start, end = front.get("start_time"), front.get("end_time")
    title = str(front.get("title") or "").strip()
    if about and about.lower() not in title.lower():
        title = f"{about}: {title}" if title else ""
    return {
        "title": title[:TITLE_MAX_LENGTH],
        "description": description,
        "occurred_at": start,
        "noticed_at": start,
        "reported_at": end or start,
        "discovered_by": "other",
        "tags": [t[:TAG_MAX_LENGTH] for t in tags],
        "stage": Stage.CLOSED.value if end else Stage.REPORTED.value,
        "closed_at": end,
        "url": front.get("url"),
    }


def _words(value: Any) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip().lower() for item in items if str(item).strip()]


def record_key(data: dict[str, Any]) -> str:
    """The record's identity: its URL when it has one, otherwise its content."""
    if data.get("url"):
        identity = "url:" + str(data["url"]).strip()
    else:
        content = {k: data.get(k) for k in ("title", "description", "occurred_at", "reported_at")}
        identity = "content:" + json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(identity.encode()).hexdigest()


class _Lookup(forms.Field):
    """A name looked up in a dictionary filled once, instead of a query per record."""

    def __init__(self, table: dict[str, Any], what: str, **kwargs: Any) -> None:
        self.table = table
        self.what = what
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> Any:
        if value in (None, ""):
            return None
        if str(value) not in self.table:
            raise forms.ValidationError(f"No {self.what} {value!r}.")
        return self.table[str(value)]


class _ManyLookup(_Lookup):
    def to_python(self, value: Any) -> list[Any]:
        if value in (None, ""):
            return []
        names = value.split(",") if isinstance(value, str) else value
        return [super(_ManyLookup, self).to_python(str(n).strip()) for n in names]


_UNKNOWN = object()
# Fields whose few values repeat from record to record, so each value is checked once.
REPEATING = {"discovered_by", "harm", "severity", "team", "owner", "confidentiality", "stage"}


def _same_value_key(raw: Any, index: int) -> Any:
    """Equal for raw values a field cleans alike: the same text, nothing, or the same list of
    texts (tags); any other value is keyed by its place, and cleaned on its own."""
    if raw is None or type(raw) is str:
        return raw
    if type(raw) is list and set(map(type, raw)) <= {str}:
        return (list, *raw)
    return (index,)


def _outcome(field: forms.Field, raw: Any) -> Any:
    try:
        return field.clean(raw)
    except forms.ValidationError as error:
        return error


class _TimeField(forms.DateTimeField):
    """DateTimeField, with a time that carries its offset read in one step.

    Django's own reading of such a text ends with what ``datetime.fromisoformat`` gives (an
    aware time is kept as it is, and the field has no validators to run), but through five
    calls that cost, at three times a record, more than the rest of a record's checks; any
    other text goes through Django's reading, its messages included."""

    def clean(self, value: Any) -> Any:
        if type(value) is str and not self.validators:
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.utcoffset() is not None:
                return parsed
        return super().clean(value)


class ImportForm(MistakeForm):
    """MistakeForm's rules, with the organisation's names held in memory for the whole import."""

    occurred_at = _TimeField(required=False)
    noticed_at = _TimeField(required=False)
    reported_at = _TimeField(required=False)
    contained_at = _TimeField(required=False)
    fixed_at = _TimeField(required=False)
    closed_at = _TimeField(required=False)
    stage = forms.ChoiceField(choices=Stage.choices, required=False)

    def __init__(self, names: Names) -> None:
        forms.Form.__init__(self, data={})  # MistakeForm's own only dresses the page's widgets
        self.names = names
        self._known: dict[tuple[str, str | None], Any] = {}
        self.fields["severity"] = _Lookup(names.severities, "severity")
        self.fields["team"] = _Lookup(names.teams, "team")
        self.fields["owner"] = _Lookup(names.users, "user")
        self.fields["restricted_to"] = _ManyLookup(names.users, "user")
        self.list_fields = {n for n, f in self.fields.items() if isinstance(f, _LIST_FIELDS)}

    def _clean_fields(self) -> None:
        # The same fields and clean_<name> rules as Form._clean_fields, without the BoundField
        # a page needs to draw each field; and a name already looked up is not looked up again.
        for name, checker in self.fields.items():
            raw = self.data.get(name)
            try:
                if name in REPEATING and isinstance(raw, str | None):
                    found = self._known.get((name, raw), _UNKNOWN)
                    if found is _UNKNOWN:
                        found = self._known[(name, raw)] = _outcome(checker, raw)
                    if isinstance(found, forms.ValidationError):
                        raise found
                    self.cleaned_data[name] = found
                else:
                    self.cleaned_data[name] = checker.clean(raw)
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except forms.ValidationError as error:
                self.add_error(name, error)

    def check(self, data: dict[str, Any]) -> bool:
        """Validate another record with the same form: building a form copies every field,
        which would cost more than the checks themselves."""
        self.data = data
        self._errors = None
        self._bound_fields_cache: dict[str, Any] = {}
        return self.is_valid()

    def check_many(
        self, records: list[dict[str, Any]]
    ) -> list[tuple[dict[str, Any], ErrorDict | None]]:
        """Each record's cleaned data and, when ``check`` finds it invalid, its errors.

        The same fields, clean_<name> rules and clean() as ``check``, but each field is run
        down the records' column, so a value the column repeats (an empty one, a severity, a
        set of tags) is cleaned once. A record with a field error goes through ``check`` itself,
        so its messages are the form's, word for word."""
        names = list(self.fields)
        failing: set[int] = set()
        columns = [self._clean_column(name, records, failing) for name in names]
        rules: list[tuple[str, Callable[[], Any]]] = [
            (name, getattr(self, f"clean_{name}"))
            for name in names
            if hasattr(self, f"clean_{name}")
        ]
        outcomes: list[tuple[dict[str, Any], ErrorDict | None]] = []
        for index, (data, row) in enumerate(zip(records, zip(*columns, strict=True), strict=True)):
            if index in failing:
                self.check(data)
            else:
                # As Form.full_clean once the fields are clean: the clean_<name> rules (each
                # of the reporting form's reads its own field only), then clean().
                self.data = data
                self._errors = ErrorDict(renderer=self.renderer)  # type: ignore[assignment]
                self.cleaned_data = dict(zip(names, row, strict=True))
                for name, rule in rules:
                    try:
                        self.cleaned_data[name] = rule()
                    except forms.ValidationError as error:
                        self.add_error(name, error)
                self._clean_form()  # type: ignore[attr-defined]
                self._post_clean()  # type: ignore[attr-defined]
            outcomes.append((self.cleaned_data, self._errors or None))
        return outcomes

    def _clean_column(
        self, name: str, records: list[dict[str, Any]], failing: set[int]
    ) -> list[Any]:
        """The field's cleaned value, or its ValidationError, for each record, each distinct
        value cleaned once; the places of the records it refuses are added to ``failing``."""
        checker = self.fields[name]
        raws = [data.get(name) for data in records]
        if set(map(type, raws)) <= _TEXT_OR_NOTHING:
            # The usual column, texts or nothing: each value is its own key.
            keys = raws
        else:
            keys = [
                raw if raw is None or type(raw) is str else _same_value_key(raw, index)
                for index, raw in enumerate(raws)
            ]
        # The first raw value of each key, found and looked up without a Python loop per
        # record: a third less time for the columns of a batch.
        first = dict(zip(reversed(keys), reversed(raws), strict=True))
        outcomes = {key: _outcome(checker, raw) for key, raw in first.items()}
        refused = {k for k, found in outcomes.items() if isinstance(found, forms.ValidationError)}
        if refused:
            failing.update(index for index, key in enumerate(keys) if key in refused)
        return list(map(outcomes.__getitem__, keys))

    def has_reporter(self) -> bool:
        return str(self.data.get("reporter") or "") in self.names.users

    def clean_severity(self) -> Severity:
        severity = self.cleaned_data["severity"] or self.names.default_severity
        if severity is None:
            raise forms.ValidationError("The organisation has no severity scale yet.")
        return severity

    def clean(self) -> dict[str, Any]:
        # The report form's rules between the times, against the record's own report time.
        reported = self.cleaned_data.get("reported_at")
        if too_early := before_earliest(reported):
            self.add_error("reported_at", too_early)
            reported = None
        elif reported and reported > timezone.now():
            self.add_error("reported_at", "It cannot have been reported in the future.")
            reported = None
        self.when_reported = reported
        data = super().clean()
        self._keep_the_stages_in_order(data, reported)
        reporter = self.names.users.get(str(self.data.get("reporter") or ""))
        if "owner" not in self.errors and (
            problem := owner_unable_to_see(
                data, reporter.pk if reporter else None, self.names.member
            )
        ):
            self.add_error("owner", problem)
        return data

    def _keep_the_stages_in_order(self, data: dict[str, Any], reported: datetime | None) -> None:
        """Contained, fixed and closed each come after the report and after the stage before:
        the dashboard's times to contain and to fix are read from them."""
        now = timezone.now()
        after = ("reported", reported or now)  # a record without a report time is reported now
        for name, verb in STAGE_TIMES:
            when = data.get(name)
            if when is None:
                continue
            if too_early := before_earliest(when):
                self.add_error(name, too_early)
            elif when > now:
                self.add_error(name, f"It cannot have been {verb} in the future.")
            elif when < after[1]:
                hint = ": give reported_at" if after[0] == "reported" and reported is None else ""
                self.add_error(name, f"It cannot have been {verb} before it was {after[0]}{hint}.")
            else:
                after = (verb, when)


# The times of the stages after the report, in the order the stages come.
STAGE_TIMES = (("contained_at", "contained"), ("fixed_at", "fixed"), ("closed_at", "closed"))


@dataclass
class Names:
    severities: dict[str, Severity]
    teams: dict[str, Team]
    users: dict[str, User]
    default_severity: Severity | None
    memberships: set[tuple[int, int]]  # (user, team)

    def member(self, user: User, team: Team) -> bool:
        return (user.pk, team.pk) in self.memberships

    @classmethod
    def load(cls) -> Names:
        # The default scale when the organisation has none yet, as a report would have it.
        severities = {s.name: s for s in Severity.objects.scale()}
        ordered = sorted(severities.values(), key=lambda s: s.rank)
        return cls(
            severities=severities,
            teams={t.slug: t for t in Team.objects.all()},
            users={u.get_username(): u for u in User.objects.filter(is_active=True)},
            default_severity=ordered[-1] if ordered else None,
            memberships=set(Membership.objects.values_list("user_id", "team_id")),
        )


@dataclass
class _Valid:
    key: str
    where: str
    cleaned: dict[str, Any]
    reporter: User | None


def check(candidates: list[Candidate], form: ImportForm) -> list[_Valid | Skipped]:
    records = [
        c.data
        if EXPORT_ONLY_SET.isdisjoint(c.data)
        else {k: v for k, v in c.data.items() if k not in EXPORT_ONLY_SET}
        for c in candidates
    ]
    readable = [
        ({}, f"unreadable: {c.unreadable}") if c.unreadable else _readable(data, form)
        for c, data in zip(candidates, records, strict=True)
    ]
    outcomes = iter(form.check_many([data for data, problem in readable if not problem]))
    checked: list[_Valid | Skipped] = []
    for candidate, (data, problem) in zip(candidates, readable, strict=True):
        if problem:
            reason = problem if candidate.unreadable else f"invalid: {problem}"
            checked.append(Skipped(candidate.where, reason))
            continue
        cleaned, errors = next(outcomes)
        if errors:
            problems = str(InvalidInput({k: list(map(str, v)) for k, v in errors.items()}))
            checked.append(Skipped(candidate.where, f"invalid: {problems}"))
            continue
        reporter = form.names.users.get(str(data.get("reporter") or ""))
        checked.append(_Valid(record_key(candidate.data), candidate.where, cleaned, reporter))
    return checked


@cycle_collector_paused()
def import_records(
    candidates: list[Candidate],
    *,
    source: str,
    actor: User | None,
    progress: Callable[[int], None] = lambda advanced: None,
) -> ImportResult:
    """Check every record and write the valid new ones in batches; one batch, one transaction."""
    result = ImportResult()
    form = ImportForm(Names.load())
    seen: set[str] = set()
    pending: list[_Valid] = []
    with log_copied_aside() as committed:
        for number, (candidate, checked) in enumerate(_checked(candidates, form), start=1):
            if isinstance(checked, Skipped):
                result.skipped.append(checked)
            elif checked.key in seen:
                twice = Skipped(candidate.where, "already imported (twice in the input)")
                result.skipped.append(twice)
            else:
                seen.add(checked.key)
                pending.append(checked)
            if len(pending) >= BATCH:
                _write(pending, result, source, actor)
                committed()
                pending = []
            if number % BATCH == 0:
                progress(BATCH)
        if pending:
            _write(pending, result, source, actor)
    progress(len(candidates) % BATCH)
    return result


def _readable(data: dict[str, Any], form: ImportForm) -> tuple[dict[str, Any], str]:
    """The record as the fields' checks can read it (a JSON number as its text), or what no
    check can read: true/false, an object, or a list where the field takes one value."""
    lists = form.list_fields
    for name, value in data.items():
        # A plain loop: the same test as a generator under all(), at two thirds of its cost.
        if value is None or type(value) is str:
            continue
        if type(value) is list and name in lists and set(map(type, value)) <= _TEXT:
            continue
        break
    else:
        return data, ""  # the usual record (texts, and lists of texts for tags), read as it is
    readable, problems = dict(data), []
    for name, value in data.items():
        if isinstance(value, bool | dict):
            problems.append(f"{name}: expected text, not {_json_kind(value)}")
        elif isinstance(value, int | float):
            readable[name] = str(value)
        elif isinstance(value, list) and not isinstance(form.fields.get(name), _LIST_FIELDS):
            problems.append(f"{name}: expected text, not a list")
        elif isinstance(value, list) and not all(isinstance(v, str | int | float) for v in value):
            problems.append(f"{name}: expected a list of texts")
    return readable, "; ".join(problems)


_LIST_FIELDS = (TagsField, forms.MultipleChoiceField, _ManyLookup)
_TEXT = {str}
_TEXT_OR_NOTHING = {str, type(None)}


def _json_kind(value: Any) -> str:
    return "true or false" if isinstance(value, bool) else "an object"


def _checked(
    candidates: list[Candidate], form: ImportForm
) -> Iterator[tuple[Candidate, _Valid | Skipped]]:
    # A batch at a time, so each field's column is checked at once.
    for first in range(0, len(candidates), BATCH):
        batch = candidates[first : first + BATCH]
        yield from zip(batch, check(batch, form), strict=True)


def _write(batch: list[_Valid], result: ImportResult, source: str, actor: User | None) -> None:
    with transaction.atomic():
        known = set(
            ImportedRecord.objects.filter(key__in=[v.key for v in batch]).values_list(
                "key", flat=True
            )
        )
        new = []
        for valid in batch:
            if valid.key in known:
                result.duplicates += 1
                result.skipped.append(Skipped(valid.where, "already imported"))
            else:
                new.append(valid)
        if not new:
            return
        now = timezone.now()
        ids = next_ids(Mistake, len(new))
        pairs = list(zip(ids, new, strict=True))
        times: dict[Any, Any] = {}
        rows = [_mistake_row(i, v, now) for i, v in pairs]
        insert_rows(Mistake, MISTAKE_COLUMNS, rows, times=times)
        tag_ids = _tag_ids({name for v in new for name in v.cleaned["tags"]})
        tags_of = [[tag_ids[name] for name in v.cleaned["tags"]] for v in new]
        insert_rows(
            Mistake.tags.through,
            ["mistake_id", "tag_id"],
            [(i, tag) for i, tags in zip(ids, tags_of, strict=True) for tag in tags],
        )
        insert_rows(
            Mistake.restricted_to.through,
            ["mistake_id", "user_id"],
            [(i, user.pk) for i, v in pairs for user in v.cleaned["restricted_to"]],
        )
        text = f"Imported from {source}"
        insert_rows(
            TimelineEntry,
            ["mistake_id", "at", "recorded_at", "actor_id", "kind", "text", "changes"],
            [
                (
                    i,
                    v.cleaned.get("reported_at") or now,
                    now,
                    actor.pk if actor else None,
                    TimelineEntry.Kind.REPORTED,
                    text,
                    {"imported_from": [None, f"{source}: {v.where}"]},
                )
                for i, v in pairs
            ],
            times=times,
        )
        insert_rows(
            ImportedRecord,
            ["key", "source", "mistake_id", "imported_at"],
            [(v.key, source[:300], i, now) for i, v in pairs],
            times=times,
        )
        result.created += len(new)
        # Counted from the rows just built rather than read back from the database.
        totals.count_inserted(
            [_inserted(row, tags) for row, tags in zip(rows, tags_of, strict=True)]
        )
        mistakes_inserted(ids, up_to_date=(totals.refresh,))


MISTAKE_COLUMNS = [
    "id",
    "title",
    "description",
    "occurred_at",
    "noticed_at",
    "reported_at",
    "discovered_by",
    "harm",
    "severity_id",
    "team_id",
    "owner_id",
    "reporter_id",
    "confidentiality",
    "stage",
    "contained_at",
    "fixed_at",
    "closed_at",
    "updated_at",
]


def _mistake_row(pk: int, valid: _Valid, now: datetime) -> tuple[Any, ...]:
    data = valid.cleaned
    return (
        pk,
        data["title"],
        data["description"],
        data["occurred_at"],
        data["noticed_at"],
        data.get("reported_at") or now,
        data["discovered_by"],
        data["harm"],
        data["severity"].pk,
        data["team"].pk if data["team"] else None,
        data["owner"].pk if data["owner"] else None,
        valid.reporter.pk if valid.reporter else None,
        data["confidentiality"],
        data.get("stage") or Stage.REPORTED,
        data.get("contained_at"),
        data.get("fixed_at"),
        data.get("closed_at"),
        now,
    )


def _inserted(row: tuple[Any, ...], tag_ids: list[int]) -> totals.Inserted:
    """The mistake's row (in MISTAKE_COLUMNS order) as the dashboard's totals count it."""
    (pk, _, _, _, noticed, reported, discovered_by, _, severity_id, team_id, owner_id) = row[:11]
    reporter_id, confidentiality, stage, contained, fixed = row[11:16]
    return totals.Inserted(
        pk,
        reported,
        noticed,
        discovered_by,
        team_id,
        confidentiality,
        reporter_id,
        owner_id,
        str(stage),
        severity_id,
        contained,
        fixed,
        tag_ids,
    )


def _tag_ids(names: set[str]) -> dict[str, int]:
    found = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    missing = names - set(found)
    if missing:
        Tag.objects.bulk_create([Tag(name=n) for n in missing], ignore_conflicts=True)
        found = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    return found
