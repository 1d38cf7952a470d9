"""The rules of the catalogue: entities of any kind, their owners and typed relations.

The web pages, the API and the CLI change the catalogue only through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from ownup.organisation.models import Membership, Role
from ownup.reporting.services import InvalidInput, NotAllowed, NotFound
from ownup.understanding.forms import (
    EntityForm,
    KindForm,
    RelationTypeForm,
    errors_of,
)
from ownup.understanding.models import (
    Entity,
    EntityKind,
    Relation,
    RelationType,
    ensure_vocabulary,
)

AnyUser = User | AnonymousUser
ENTITY_FIELDS = ("name", "kind", "key", "description", "owners")


def can_edit(user: AnyUser) -> bool:
    """Responders, managers and admins keep the catalogue; everyone signed in may read it."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, role__in=[Role.RESPONDER, Role.MANAGER]).exists()


def _require_editor(user: AnyUser) -> None:
    if not can_edit(user):
        raise NotAllowed("only responders, managers and admins may change the catalogue")


def entities() -> QuerySet[Entity]:
    return Entity.objects.select_related("kind").prefetch_related("owners")


def search(query: str = "", kind: str = "") -> QuerySet[Entity]:
    found = entities()
    if kind:
        found = found.filter(kind__name=kind)
    if query := query.strip():
        found = found.filter(Q(name__icontains=query) | Q(key__icontains=query))
    return found


def get_entity(reference: str) -> Entity:
    """An entity by its key, or by its exact name when that names only one."""
    reference = (reference or "").strip()
    found = entities().filter(key=reference).first()
    if found is None and reference:
        named = list(entities().filter(name__iexact=reference)[:2])
        if len(named) == 2:
            raise InvalidInput(
                {"entity": [f"{reference!r} names several entities; give the key instead."]}
            )
        found = named[0] if named else None
    if found is None:
        raise NotFound(f"no entity {reference!r} in the catalogue")
    return found


def _entity_data(entity: Entity) -> dict[str, Any]:
    return {
        "name": entity.name,
        "kind": entity.kind.name,
        "key": entity.key,
        "description": entity.description,
        "owners": [u.get_username() for u in entity.owners.all()],
    }


def _check_fields(data: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    if unknown := set(data) - set(allowed):
        raise InvalidInput({name: [f"This is not a field of {what}."] for name in sorted(unknown)})


def _clean_entity(data: Mapping[str, Any], current: Entity | None) -> dict[str, Any]:
    ensure_vocabulary()
    form = EntityForm(data=dict(data))
    if not form.is_valid():
        raise InvalidInput(errors_of(form))
    cleaned = form.cleaned_data
    taken = Entity.objects.filter(key=cleaned["key"])
    if current is not None:
        taken = taken.exclude(pk=current.pk)
    if taken.exists():
        raise InvalidInput({"key": [f"The key {cleaned['key']!r} is taken; choose another."]})
    return cleaned


def create_entity(data: Mapping[str, Any], *, actor: AnyUser) -> Entity:
    _require_editor(actor)
    _check_fields(data, ENTITY_FIELDS, "an entity")
    cleaned = _clean_entity(data, None)
    with transaction.atomic():
        entity = Entity.objects.create(
            key=cleaned["key"],
            name=cleaned["name"],
            kind=cleaned["kind"],
            description=cleaned["description"],
        )
        entity.owners.set(cleaned["owners"])
    return entity


def update_entity(entity: Entity, changes: Mapping[str, Any], *, actor: AnyUser) -> Entity:
    _require_editor(actor)
    _check_fields(changes, ENTITY_FIELDS, "an entity")
    cleaned = _clean_entity({**_entity_data(entity), **changes}, entity)
    with transaction.atomic():
        for name in ("key", "name", "kind", "description"):
            setattr(entity, name, cleaned[name])
        entity.save()
        entity.owners.set(cleaned["owners"])
    return entity


def delete_entity(entity: Entity, *, actor: AnyUser) -> None:
    _require_editor(actor)
    if entity.touch_points.exists():
        # No count: some of those mistakes may be ones this person may not see.
        raise InvalidInput(
            {"entity": [f"{entity.name} is a touch point of mistakes on record; it stays."]}
        )
    entity.delete()


def _cleaned(form_class: type[KindForm], data: Mapping[str, Any]) -> dict[str, Any]:
    form = form_class(data=dict(data))
    if not form.is_valid():
        raise InvalidInput(errors_of(form))
    return form.cleaned_data


def create_kind(data: Mapping[str, Any], *, actor: AnyUser) -> EntityKind:
    _require_editor(actor)
    _check_fields(data, ("name", "description"), "a kind")
    cleaned = _cleaned(KindForm, data)
    if EntityKind.objects.filter(name=cleaned["name"]).exists():
        raise InvalidInput({"name": [f"The kind {cleaned['name']!r} exists already."]})
    return EntityKind.objects.create(**cleaned)


def create_relation_type(data: Mapping[str, Any], *, actor: AnyUser) -> RelationType:
    _require_editor(actor)
    _check_fields(data, ("name", "description", "flows"), "a relation type")
    cleaned = _cleaned(RelationTypeForm, data)
    if RelationType.objects.filter(name=cleaned["name"]).exists():
        raise InvalidInput({"name": [f"The relation type {cleaned['name']!r} exists already."]})
    return RelationType.objects.create(**cleaned)


def get_relation_type(name: str) -> RelationType:
    ensure_vocabulary()
    found = RelationType.objects.filter(name=" ".join((name or "").lower().split())).first()
    if found is None:
        known = ", ".join(RelationType.objects.values_list("name", flat=True))
        raise InvalidInput({"type": [f"Unknown relation type {name!r}; known: {known}."]})
    return found


def relate(source: Entity, type_name: str, target: Entity, *, actor: AnyUser) -> Relation:
    """Link two entities. Cycles are allowed (the walk copes); a link to itself is not."""
    _require_editor(actor)
    relation_type = get_relation_type(type_name)
    if source.pk == target.pk:
        raise InvalidInput({"target": [f"{source.name} cannot be related to itself."]})
    if Relation.objects.filter(source=source, type=relation_type, target=target).exists():
        raise InvalidInput(
            {"target": [f"{source.name} {relation_type.name} {target.name} is recorded already."]}
        )
    try:
        with transaction.atomic():
            return Relation.objects.create(source=source, type=relation_type, target=target)
    except IntegrityError:
        # Someone else recorded the same relation a moment ago.
        raise InvalidInput(
            {"target": [f"{source.name} {relation_type.name} {target.name} is recorded already."]}
        ) from None


def unrelate(relation_id: int, *, actor: AnyUser) -> None:
    _require_editor(actor)
    deleted, _ = Relation.objects.filter(pk=relation_id).delete()
    if not deleted:
        raise NotFound(f"no relation #{relation_id} in the catalogue")


def find_relation(source: Entity, type_name: str, target: Entity) -> Relation:
    relation_type = get_relation_type(type_name)
    found = Relation.objects.filter(source=source, type=relation_type, target=target).first()
    if found is None:
        raise NotFound(f"{source.name} {relation_type.name} {target.name} is not recorded")
    return found


def relations_of(entity: Entity) -> tuple[list[Relation], list[Relation]]:
    """What the entity points at, and what points at it."""
    outgoing = list(entity.outgoing.select_related("type", "target__kind").order_by("type__name"))
    incoming = list(entity.incoming.select_related("type", "source__kind").order_by("type__name"))
    return outgoing, incoming


def entity_record(entity: Entity, *, with_relations: bool = False) -> dict[str, Any]:
    record: dict[str, Any] = {
        "key": entity.key,
        "name": entity.name,
        "kind": entity.kind.name,
        "description": entity.description,
        "owners": sorted(u.get_username() for u in entity.owners.all()),
    }
    if with_relations:
        outgoing, incoming = relations_of(entity)
        record["relations"] = [
            {"id": r.pk, "from": entity.key, "type": r.type.name, "to": r.target.key}
            for r in outgoing
        ] + [
            {"id": r.pk, "from": r.source.key, "type": r.type.name, "to": entity.key}
            for r in incoming
        ]
    return record
