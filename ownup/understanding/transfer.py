"""Importing and exporting the catalogue as CSV or YAML.

An import is checked whole before anything is written, then written in one transaction: a file
with a bad row changes nothing, and the error names the row. Importing the same file twice
changes nothing the second time: kinds and relation types are matched by name, entities by key,
relations by (from, type, to). An import adds and updates; it never deletes.

CSV: one row per record, with the columns of :data:`CSV_COLUMNS`; ``record`` is ``kind``,
``relation type``, ``entity`` or ``relation`` (left empty, a row with ``from`` is a relation and
any other an entity). YAML: a mapping with the lists ``kinds``, ``relation_types``, ``entities``
and ``relations``, whose items have the same fields.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from ownup.reporting.services import InvalidInput
from ownup.understanding.models import (
    KEY_MAX_LENGTH,
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Entity,
    EntityKind,
    Flow,
    Relation,
    RelationType,
    ensure_vocabulary,
)

CSV_COLUMNS = [
    "record",
    "key",
    "name",
    "kind",
    "owners",
    "description",
    "from",
    "type",
    "to",
    "flows",
]
FORMATS = ("csv", "yaml")
MAX_ERRORS_SHOWN = 20
CHUNK = 500
KEY_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")

Progress = Callable[[int], None]
"""Told how many more records were written, so a long import can show a bar."""


@dataclass
class Record:
    where: str  # "row 7" or "entities item 3": how the error messages name it
    kind: str  # kind, relation type, entity, relation
    fields: dict[str, str]


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, record: str, n: int = 1) -> None:
        counts = getattr(self, bucket)
        counts[record] = counts.get(record, 0) + n

    def summary(self) -> str:
        parts = []
        for bucket in ("created", "updated", "unchanged"):
            counts = getattr(self, bucket)
            if counts:
                listed = ", ".join(f"{n} {_plural(record, n)}" for record, n in counts.items())
                parts.append(f"{bucket} {listed}")
        return "; ".join(parts) or "the file has no records"


def _plural(record: str, n: int) -> str:
    if n == 1:
        return record
    return {"entity": "entities", "relation type": "relation types"}.get(record, record + "s")


class Problems:
    """Collects what is wrong with each record, to report everything in one go."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, record: Record, message: str) -> None:
        self.found.append(f"{record.where}: {message}")

    def raise_if_any(self) -> None:
        if not self.found:
            return
        shown = self.found[:MAX_ERRORS_SHOWN]
        if len(self.found) > MAX_ERRORS_SHOWN:
            shown.append(f"and {len(self.found) - MAX_ERRORS_SHOWN} more problems")
        raise InvalidInput({"file": shown})


# ------------------------------------------------------------------------------------ reading


def detect_format(filename: str, given: str = "") -> str:
    if given:
        if given not in FORMATS:
            raise InvalidInput({"format": [f"Choose csv or yaml, not {given!r}."]})
        return given
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    raise InvalidInput({"format": [f"Cannot tell the format of {filename!r}: give csv or yaml."]})


def parse(text: str, fmt: str) -> list[Record]:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InvalidInput({"file": [f"line {line}: a NUL character; the file is not plain text."]})
    return _parse_csv(text) if fmt == "csv" else _parse_yaml(text)


def _parse_csv(text: str) -> list[Record]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if not columns:
        raise InvalidInput({"file": ["The CSV file is empty: it needs a header row."]})
    if unknown := [c for c in columns if c not in CSV_COLUMNS]:
        raise InvalidInput(
            {
                "file": [
                    f"row 1: unknown column {unknown[0]!r}; "
                    f"the columns are {', '.join(CSV_COLUMNS)}."
                ]
            }
        )
    reader.fieldnames = columns
    records = []
    try:
        for row in reader:
            where = f"row {reader.line_num}"
            if None in row:
                raise InvalidInput({"file": [f"{where}: more cells than the header has columns."]})
            fields = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(fields.values()):
                continue
            kind = fields.pop("record", "").lower().replace("_", " ")
            if not kind:
                kind = "relation" if fields.get("from") else "entity"
            records.append(Record(where, kind, fields))
    except csv.Error as error:
        raise InvalidInput({"file": [f"row {reader.line_num}: {error}"]}) from None
    return records


YAML_SECTIONS = {
    "kinds": "kind",
    "relation_types": "relation type",
    "entities": "entity",
    "relations": "relation",
}


def _parse_yaml(text: str) -> list[Record]:
    import yaml  # here, not at the top: only an import of YAML needs it (10 ms at every start)

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = f"{where}not valid YAML ({error.__class__.__name__})."
        raise InvalidInput({"file": [problem]}) from None
    if document is None:
        return []
    if not isinstance(document, dict):
        raise InvalidInput(
            {
                "file": [
                    "The YAML file must be a mapping with kinds, relation_types, entities "
                    "and relations."
                ]
            }
        )
    if unknown := [k for k in document if k not in YAML_SECTIONS]:
        raise InvalidInput(
            {"file": [f"Unknown section {unknown[0]!r}; use {', '.join(YAML_SECTIONS)}."]}
        )
    records = []
    for section, kind in YAML_SECTIONS.items():
        items = document.get(section) or []
        if not isinstance(items, list):
            raise InvalidInput({"file": [f"{section} must be a list."]})
        for number, item in enumerate(items, start=1):
            where = f"{section} item {number}"
            if not isinstance(item, dict):
                raise InvalidInput({"file": [f"{where}: must be a mapping of fields."]})
            fields: dict[str, str] = {}
            for name, value in item.items():
                if name == "owners" and isinstance(value, list):
                    value = " ".join(str(v) for v in value)
                if isinstance(value, dict | list):
                    raise InvalidInput({"file": [f"{where}: {name} must be plain text."]})
                fields[str(name)] = "" if value is None else str(value).strip()
            records.append(Record(where, kind, fields))
    return records


# --------------------------------------------------------------------------------- checking


@dataclass
class Plan:
    """The import, checked: what to write, in the order it must be written."""

    kinds: dict[str, dict[str, str]] = field(default_factory=dict)
    relation_types: dict[str, dict[str, str]] = field(default_factory=dict)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    relations: dict[tuple[str, str, str], Record] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.kinds) + len(self.relation_types) + len(self.entities) + len(self.relations)


ALLOWED = {
    "kind": {"name", "description"},
    "relation type": {"name", "description", "flows"},
    "entity": {"key", "name", "kind", "owners", "description"},
    "relation": {"from", "type", "to"},
}


def _normal_name(value: str) -> str:
    return " ".join(value.lower().split())


def check(records: list[Record]) -> Plan:
    ensure_vocabulary()
    plan = Plan()
    problems = Problems()
    User = get_user_model()
    known_kinds = set(EntityKind.objects.values_list("name", flat=True))
    known_types = set(RelationType.objects.values_list("name", flat=True))
    entity_rows: dict[str, Record] = {}
    owner_names: set[str] = set()

    # Kinds and relation types first, so entities and relations may use those of the same file.
    vocabulary_first = sorted(records, key=lambda r: r.kind not in ("kind", "relation type"))
    for record in vocabulary_first:
        if record.kind not in ALLOWED:
            problems.add(record, f"unknown record {record.kind!r}; use {', '.join(ALLOWED)}.")
            continue
        extra = [k for k, v in record.fields.items() if v and k not in ALLOWED[record.kind]]
        if extra:
            problems.add(record, f"a {record.kind} has no {extra[0]!r}.")
            continue
        f = record.fields
        if record.kind in ("kind", "relation type"):
            name = _normal_name(f.get("name", ""))
            if not name or len(name) > 50:
                problems.add(record, f"a {record.kind} needs a name of at most 50 characters.")
                continue
            values = {"description": f.get("description", "")[:200]}
            if record.kind == "kind":
                plan.kinds[name] = values
            else:
                flows = f.get("flows", "") or Flow.FORWARD
                if flows not in Flow.values:
                    problems.add(record, f"flows is {flows!r}; use {', '.join(Flow.values)}.")
                    continue
                plan.relation_types[name] = {**values, "flows": flows}
        elif record.kind == "entity":
            name = " ".join(f.get("name", "").split())
            key = f.get("key", "") or slugify(name)[:KEY_MAX_LENGTH]
            kind = _normal_name(f.get("kind", ""))
            if not name:
                problems.add(record, "an entity needs a name.")
            elif len(name) > NAME_MAX_LENGTH:
                problems.add(record, f"the name is longer than {NAME_MAX_LENGTH} characters.")
            elif not key or len(key) > KEY_MAX_LENGTH or not KEY_PATTERN.match(key):
                problems.add(record, f"the key {key!r} must be letters, digits, - or _ only.")
            elif not kind:
                problems.add(record, "an entity needs a kind.")
            elif kind not in known_kinds and kind not in plan.kinds:
                problems.add(
                    record,
                    f"unknown kind {kind!r}; add it first (a kind record) or use one of "
                    f"{', '.join(sorted(known_kinds))}.",
                )
            elif len(f.get("description", "")) > TEXT_MAX_LENGTH:
                problems.add(
                    record, f"the description is longer than {TEXT_MAX_LENGTH} characters."
                )
            elif key in entity_rows:
                problems.add(record, f"the key {key!r} is used by {entity_rows[key].where} too.")
            else:
                owners = None
                if "owners" in f and (f["owners"] or record.where.startswith("entities")):
                    owners = sorted(set(f["owners"].replace(",", " ").replace(";", " ").split()))
                    owner_names.update(owners)
                entity_rows[key] = record
                plan.entities[key] = {
                    "name": name,
                    "kind": kind,
                    "description": f.get("description", ""),
                    "owners": owners,
                }

    if owner_names:
        found = set(
            User.objects.filter(username__in=owner_names, is_active=True).values_list(
                "username", flat=True
            )
        )
        for key, values in plan.entities.items():
            if missing := [o for o in values["owners"] or [] if o not in found]:
                problems.add(entity_rows[key], f"no active user named {missing[0]!r}.")

    relation_records = [r for r in records if r.kind == "relation"]
    referenced = {r.fields.get(end, "") for r in relation_records for end in ("from", "to")}
    existing_keys = _existing_keys(referenced - set(plan.entities))
    for record in relation_records:
        f = record.fields
        source, target = f.get("from", ""), f.get("to", "")
        type_name = _normal_name(f.get("type", ""))
        if not source or not target or not type_name:
            problems.add(record, "a relation needs from, type and to.")
            continue
        if missing := [
            k for k in (source, target) if k not in plan.entities and k not in existing_keys
        ]:
            problems.add(
                record, f"no entity with the key {missing[0]!r} (in the file or the catalogue)."
            )
            continue
        if type_name not in known_types and type_name not in plan.relation_types:
            problems.add(
                record,
                f"unknown relation type {type_name!r}; add it first or use one of "
                f"{', '.join(sorted(known_types))}.",
            )
            continue
        if source == target:
            problems.add(record, f"{source!r} cannot be related to itself.")
            continue
        plan.relations.setdefault((source, type_name, target), record)

    problems.raise_if_any()
    return plan


def _existing_keys(keys: set[str]) -> set[str]:
    found: set[str] = set()
    listed = sorted(keys)
    for start in range(0, len(listed), CHUNK):
        found.update(
            Entity.objects.filter(key__in=listed[start : start + CHUNK]).values_list(
                "key", flat=True
            )
        )
    return found


# ---------------------------------------------------------------------------------- writing


def import_catalog(text: str, fmt: str, *, progress: Progress | None = None) -> ImportResult:
    """Check the whole file, then write it in one transaction; see the module's description."""
    plan = check(parse(text, fmt))
    tick = progress or (lambda n: None)
    result = ImportResult()
    with transaction.atomic():
        _write_vocabulary(plan, result, tick)
        _write_entities(plan, result, tick)
        _write_relations(plan, result, tick)
    return result


def count_records(text: str, fmt: str) -> int:
    return len(parse(text, fmt))


def _write_vocabulary(plan: Plan, result: ImportResult, tick: Progress) -> None:
    for model, wanted, label in (
        (EntityKind, plan.kinds, "kind"),
        (RelationType, plan.relation_types, "relation type"),
    ):
        existing = {o.name: o for o in model.objects.filter(name__in=list(wanted))}
        for name, values in wanted.items():
            current = existing.get(name)
            if current is None:
                model.objects.create(name=name, **values)
                result.count("created", label)
            elif any(getattr(current, k) != v for k, v in values.items() if v):
                for k, v in values.items():
                    if v:
                        setattr(current, k, v)
                current.save()
                result.count("updated", label)
            else:
                result.count("unchanged", label)
        tick(len(wanted))


def _write_entities(plan: Plan, result: ImportResult, tick: Progress) -> None:
    User = get_user_model()
    kinds = dict(EntityKind.objects.values_list("name", "pk"))
    users: dict[str, int] = {}
    wanted_owners = {o for v in plan.entities.values() for o in v["owners"] or []}
    if wanted_owners:
        users = dict(User.objects.filter(username__in=wanted_owners).values_list("username", "pk"))
    Owner = Entity.owners.through
    keys = list(plan.entities)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        existing = {e.key: e for e in Entity.objects.filter(key__in=chunk)}
        new, changed = [], []
        for key in chunk:
            values = plan.entities[key]
            entity = existing.get(key)
            fields = {
                "name": values["name"],
                "kind_id": kinds[values["kind"]],
                "description": values["description"],
            }
            if entity is None:
                new.append(Entity(key=key, **fields))
            elif any(getattr(entity, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(entity, k, v)
                changed.append(entity)
        Entity.objects.bulk_create(new)
        Entity.objects.bulk_update(changed, ["name", "kind_id", "description"])
        ids = dict(Entity.objects.filter(key__in=chunk).values_list("key", "pk"))
        owned: dict[int, set[int]] = {}
        for entity_id, user_id in Owner.objects.filter(entity_id__in=ids.values()).values_list(
            "entity_id", "user_id"
        ):
            owned.setdefault(entity_id, set()).add(user_id)
        owners_changed: set[str] = set()
        for key in chunk:
            wanted = plan.entities[key]["owners"]
            if wanted is None:
                continue
            want = {users[o] for o in wanted}
            have = owned.get(ids[key], set())
            if want != have:
                owners_changed.add(key)
                Owner.objects.filter(entity_id=ids[key], user_id__in=have - want).delete()
                Owner.objects.bulk_create(
                    [Owner(entity_id=ids[key], user_id=u) for u in want - have]
                )
        new_keys = {e.key for e in new}
        changed_keys = {e.key for e in changed} | owners_changed - new_keys
        result.count("created", "entity", len(new))
        result.count("updated", "entity", len(changed_keys))
        result.count("unchanged", "entity", len(chunk) - len(new) - len(changed_keys))
        tick(len(chunk))
    for bucket in ("created", "updated", "unchanged"):
        if getattr(result, bucket).get("entity") == 0:
            del getattr(result, bucket)["entity"]


def _write_relations(plan: Plan, result: ImportResult, tick: Progress) -> None:
    types = dict(RelationType.objects.values_list("name", "pk"))
    wanted = list(plan.relations)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        keys = {k for source, _, target in chunk for k in (source, target)}
        ids = dict(Entity.objects.filter(key__in=keys).values_list("key", "pk"))
        triples = [(ids[s], types[t], ids[o]) for s, t, o in chunk]
        existing = set(
            Relation.objects.filter(source_id__in={s for s, _, _ in triples}).values_list(
                "source_id", "type_id", "target_id"
            )
        )
        new = [
            Relation(source_id=s, type_id=t, target_id=o)
            for s, t, o in triples
            if (s, t, o) not in existing
        ]
        Relation.objects.bulk_create(new)
        if new:
            result.count("created", "relation", len(new))
        if len(chunk) - len(new):
            result.count("unchanged", "relation", len(chunk) - len(new))
        tick(len(chunk))


# ---------------------------------------------------------------------------------- export


def export_rows() -> Iterator[dict[str, str]]:
    """Every record of the catalogue, in the order an import needs them."""
    for kind in EntityKind.objects.order_by("name"):
        yield {"record": "kind", "name": kind.name, "description": kind.description}
    for relation_type in RelationType.objects.order_by("name"):
        yield {
            "record": "relation type",
            "name": relation_type.name,
            "description": relation_type.description,
            "flows": relation_type.flows,
        }
    owners: dict[int, list[str]] = {}
    for entity_id, username in Entity.owners.through.objects.order_by("user__username").values_list(
        "entity_id", "user__username"
    ):
        owners.setdefault(entity_id, []).append(username)
    for pk, key, name, kind_name, description in (
        Entity.objects.order_by("key")
        .values_list("pk", "key", "name", "kind__name", "description")
        .iterator(chunk_size=2000)
    ):
        yield {
            "record": "entity",
            "key": key,
            "name": name,
            "kind": kind_name,
            "owners": " ".join(owners.get(pk, [])),
            "description": description,
        }
    for source, type_name, target in (
        Relation.objects.order_by("source__key", "type__name", "target__key")
        .values_list("source__key", "type__name", "target__key")
        .iterator(chunk_size=2000)
    ):
        yield {"record": "relation", "from": source, "type": type_name, "to": target}


def export_csv(out: io.TextIOBase | Any) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows())


def export_yaml(out: io.TextIOBase | Any) -> None:
    sections: dict[str, list[dict[str, Any]]] = {name: [] for name in YAML_SECTIONS}
    by_record = {record: section for section, record in YAML_SECTIONS.items()}
    for row in export_rows():
        record = row.pop("record")
        if record == "entity":
            row["owners"] = row["owners"].split() if row["owners"] else []  # type: ignore[assignment]
        sections[by_record[record]].append(row)
    import yaml  # here, not at the top: only an export to YAML needs it (10 ms at every start)

    yaml.safe_dump(sections, out, sort_keys=False, allow_unicode=True, width=100)


def export_catalog(fmt: str, out: io.TextIOBase | Any) -> None:
    if fmt not in FORMATS:
        raise InvalidInput({"format": [f"Choose csv or yaml, not {fmt!r}."]})
    export_csv(out) if fmt == "csv" else export_yaml(out)
