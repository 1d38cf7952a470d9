"""The walk from a mistake's touch points along the catalogue's relations.

Breadth first, one query per level (never one per entity): each level asks for every relation
that carries impact away from the entities found at the level before, in the direction its type
says impact flows. Every entity is reached once, by a shortest path, so cycles end the walk
instead of looping it, and the walk stops at ``depth`` levels or ``limit`` entities.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

from ownup.understanding.models import Entity, Flow, Relation, RelationType

DEFAULT_DEPTH = 3
MAX_DEPTH = 6
MAX_REACHED = 500
# Frontier ids per query: far below every database's limit on query parameters.
BATCH = 400


@dataclass(frozen=True)
class Hop:
    """How an entity was reached: from ``parent`` along a relation of ``type_id``.

    ``forward`` is True when the relation reads "parent <type> entity", False when it reads
    "entity <type> parent" (impact flowed from its target back to its source).
    """

    entity_id: int
    parent_id: int | None
    type_id: int | None
    forward: bool
    distance: int


@dataclass
class Walk:
    hops: dict[int, Hop] = field(default_factory=dict)
    truncated: bool = False

    def path(self, entity_id: int) -> list[Hop]:
        """The hops from a starting entity to this one, starting entity first."""
        hops = []
        current: int | None = entity_id
        while current is not None:
            hop = self.hops[current]
            hops.append(hop)
            current = hop.parent_id
        return hops[::-1]


def flow_types(using: str = DEFAULT_DB_ALIAS) -> tuple[list[int], list[int]]:
    """The relation types impact flows forward along, and those it flows backward along."""
    forward, backward = [], []
    for pk, flows in RelationType.objects.using(using).values_list("pk", "flows"):
        if flows in (Flow.FORWARD, Flow.BOTH):
            forward.append(pk)
        if flows in (Flow.BACKWARD, Flow.BOTH):
            backward.append(pk)
    return forward, backward


def walk(
    starts: Iterable[int],
    depth: int = DEFAULT_DEPTH,
    *,
    stop_at: Collection[int] = (),
    limit: int = MAX_REACHED,
    using: str = DEFAULT_DB_ALIAS,
) -> Walk:
    """Every entity within ``depth`` relations of ``starts``, each with the hop it was reached by.

    Entities in ``stop_at`` are reached but not walked through (a dismissed proposal: someone
    said it is not affected, so neither is what lies beyond it on that path).
    """
    if not 0 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 0 and {MAX_DEPTH}")
    result = Walk()
    frontier = []
    for entity_id in starts:
        if entity_id not in result.hops:
            result.hops[entity_id] = Hop(entity_id, None, None, True, 0)
            frontier.append(entity_id)
    forward_types, backward_types = flow_types(using)
    relations = Relation.objects.using(using)
    for distance in range(1, depth + 1):
        expand = [e for e in frontier if e not in stop_at]
        if not expand or result.truncated:
            break
        order = {entity_id: n for n, entity_id in enumerate(expand)}
        found: list[tuple[int, int, int, bool]] = []  # (parent, type, reached, forward)
        for start in range(0, len(expand), BATCH):
            batch = expand[start : start + BATCH]
            rows = relations.filter(
                Q(source_id__in=batch, type_id__in=forward_types)
                | Q(target_id__in=batch, type_id__in=backward_types)
            ).values_list("source_id", "type_id", "target_id")
            for source, type_id, target in rows:
                if source in order and type_id in forward_types:
                    found.append((source, type_id, target, True))
                if target in order and type_id in backward_types:
                    found.append((target, type_id, source, False))
        # The same order whatever the database returns, so the same catalogue draws the same.
        found.sort(key=lambda f: (order[f[0]], f[1], f[2], not f[3]))
        frontier = []
        for parent, type_id, reached, forward in found:
            if reached in result.hops:
                continue
            if len(result.hops) >= limit:
                result.truncated = True
                break
            result.hops[reached] = Hop(reached, parent, type_id, forward, distance)
            frontier.append(reached)
    return result


@dataclass(frozen=True)
class Node:
    pk: int
    key: str
    name: str
    kind: str
    owners: tuple[tuple[int, str, str], ...]  # (user id, username, display name)


def describe(entity_ids: Collection[int], *, using: str = DEFAULT_DB_ALIAS) -> dict[int, Node]:
    """Names, kinds and owners of the walked entities: two queries per batch, whatever the size."""
    nodes: dict[int, Node] = {}
    listed = list(entity_ids)
    for start in range(0, len(listed), BATCH):
        batch = listed[start : start + BATCH]
        owners: dict[int, list[tuple[int, str, str]]] = {}
        for entity_id, user_id, username, first, last in (
            Entity.owners.through.objects.using(using)
            .filter(entity_id__in=batch)
            .order_by("user__username")
            .values_list(
                "entity_id", "user_id", "user__username", "user__first_name", "user__last_name"
            )
        ):
            full = f"{first} {last}".strip()
            owners.setdefault(entity_id, []).append((user_id, username, full or username))
        for pk, key, name, kind in (
            Entity.objects.using(using)
            .filter(pk__in=batch)
            .values_list("pk", "key", "name", "kind__name")
        ):
            nodes[pk] = Node(pk, key, name, kind, tuple(owners.get(pk, ())))
    return nodes
