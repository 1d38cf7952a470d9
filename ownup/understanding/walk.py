"""The walk from a mistake's touch points along the catalogue's relations.

Breadth first, one query per level (never one per entity): each level asks for every relation
that carries impact away from the entities found at the level before, in the direction its type
says impact flows. Every entity is reached once, by a shortest path, so cycles end the walk
instead of looping it, and the walk stops at ``depth`` levels or ``limit`` entities.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections

from ownup.understanding.models import Entity, EntityKind, Flow, Relation, RelationType

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
    for distance in range(1, depth + 1):
        expand = [e for e in frontier if e not in stop_at]
        if not expand or result.truncated:
            break
        order = {entity_id: n for n, entity_id in enumerate(expand)}
        found: list[tuple[int, int, int, bool]] = []  # (parent, type, reached, forward)
        for start in range(0, len(expand), BATCH):
            batch = expand[start : start + BATCH]
            for source, type_id, target in _relations_at(
                batch, forward_types, backward_types, using
            ):
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


def _relations_at(
    batch: list[int], forward_types: list[int], backward_types: list[int], using: str
) -> list[tuple[int, int, int]]:
    """The relations that carry impact away from ``batch``: one indexed query.

    Written in SQL because the ORM's work of preparing a few hundred ids for ``IN`` costs more
    than the database's work of answering; the query is plain enough for SQLite and PostgreSQL.
    """
    forward = forward_types or [0]
    backward = backward_types or [0]
    ids = ", ".join(["%s"] * len(batch))
    sql = (
        f"SELECT source_id, type_id, target_id FROM {Relation._meta.db_table} "
        f"WHERE (source_id IN ({ids}) AND type_id IN ({', '.join(['%s'] * len(forward))})) "
        f"OR (target_id IN ({ids}) AND type_id IN ({', '.join(['%s'] * len(backward))}))"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*batch, *forward, *batch, *backward])
        return cursor.fetchall()


@dataclass(frozen=True)
class Node:
    pk: int
    key: str
    name: str
    kind: str
    owners: tuple[tuple[int, str, str], ...]  # (user id, username, display name)


def describe(entity_ids: Collection[int], *, using: str = DEFAULT_DB_ALIAS) -> dict[int, Node]:
    """Names, kinds and owners of the walked entities: two queries per batch, whatever the size.

    In SQL for the same reason as the walk's query: hundreds of ids are cheaper to pass as is.
    """
    owners_table = Entity.owners.through._meta.db_table
    users_table = get_user_model()._meta.db_table
    nodes: dict[int, Node] = {}
    listed = list(entity_ids)
    with connections[using].cursor() as cursor:
        for start in range(0, len(listed), BATCH):
            batch = listed[start : start + BATCH]
            ids = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"SELECT o.entity_id, u.id, u.username, u.first_name, u.last_name "
                f"FROM {owners_table} o JOIN {users_table} u ON u.id = o.user_id "
                f"WHERE o.entity_id IN ({ids}) ORDER BY u.username",
                batch,
            )
            owners: dict[int, list[tuple[int, str, str]]] = {}
            for entity_id, user_id, username, first, last in cursor.fetchall():
                full = f"{first} {last}".strip()
                owners.setdefault(entity_id, []).append((user_id, username, full or username))
            cursor.execute(
                f"SELECT e.id, e.key, e.name, k.name FROM {Entity._meta.db_table} e "
                f"JOIN {EntityKind._meta.db_table} k ON k.id = e.kind_id WHERE e.id IN ({ids})",
                batch,
            )
            for pk, key, name, kind in cursor.fetchall():
                nodes[pk] = Node(pk, key, name, kind, tuple(owners.get(pk, ())))
    return nodes
