"""The touch-point walk on a big catalogue: 100 000 entities and 300 000 relations, depth 4.

The graph is generated from a fixed seed and bulk-inserted once into its own SQLite file under
var/bench/ (kept for later runs). The figure is the median time of the project's walk (one query
per level, then the names and owners of what it reached); the ceiling is a breadth-first search
of the same graph held in memory, with the same rules: what the walk cannot beat without a cache.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import time
from collections import deque
from itertools import chain
from pathlib import Path
from typing import Any

from bench.rows import Row, row
from bench.runner import bench_dir

TARGET_MS = 50.0
DEPTH = 4
ALIAS = "bench_touchpoints"
SEED = 20_260_301


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ownup.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _database(entities: int, relations: int) -> Path:
    """The seeded graph in its own SQLite file, generated on first use."""
    from django.core.management import call_command
    from django.db import connections

    folder = bench_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"touchpoints-{entities}-{relations}.sqlite3"
    if ALIAS not in connections.settings:
        configured = connections.configure_settings(
            {
                "default": connections.settings["default"],
                ALIAS: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)},
            }
        )
        connections.settings[ALIAS] = configured[ALIAS]
    ready = path.with_suffix(".ready")
    if ready.exists() and path.exists():
        return path
    connections[ALIAS].close()
    path.unlink(missing_ok=True)
    call_command("migrate", database=ALIAS, verbosity=0, interactive=False)
    _generate(entities, relations)
    ready.write_text("generated\n")
    return path


def _generate(entities: int, relations: int) -> None:
    from django.db import connections, transaction

    from ownup.understanding.models import Entity, EntityKind, Relation, RelationType

    rng = random.Random(SEED)
    kinds = list(EntityKind.objects.using(ALIAS).values_list("pk", flat=True))
    types = list(RelationType.objects.using(ALIAS).values_list("pk", flat=True))
    owners = 50
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.executemany(
            "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined) VALUES (%s, '!', 0, %s, 'Owner', %s, '',"
            " 0, 1, '2026-01-01')",
            [(n, f"owner{n}", str(n)) for n in range(1, owners + 1)],
        )
        cursor.executemany(
            f"INSERT INTO {Entity._meta.db_table} (id, key, name, kind_id, description)"
            " VALUES (%s, %s, %s, %s, '')",
            [(n, f"e{n}", f"Entity {n}", rng.choice(kinds)) for n in range(1, entities + 1)],
        )
        owned = Entity.owners.through._meta.db_table
        cursor.executemany(
            f"INSERT INTO {owned} (entity_id, user_id) VALUES (%s, %s)",
            [(n, rng.randint(1, owners)) for n in range(1, entities + 1, 10)],
        )
        seen: set[tuple[int, int, int]] = set()
        while len(seen) < relations:
            source, target = rng.randint(1, entities), rng.randint(1, entities)
            if source != target:
                seen.add((source, rng.choice(types), target))
        cursor.executemany(
            f"INSERT INTO {Relation._meta.db_table} (source_id, type_id, target_id)"
            " VALUES (%s, %s, %s)",
            sorted(seen),
        )
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("ANALYZE")


def _in_memory_graph() -> tuple[dict[int, list[tuple[int, int]]], dict[int, list[tuple[int, int]]]]:
    """Impact-carrying neighbours of every entity, forward and backward, from the same table."""
    from ownup.understanding.models import Relation
    from ownup.understanding.walk import flow_types

    forward_types, backward_types = (set(t) for t in flow_types(ALIAS))
    forward: dict[int, list[tuple[int, int]]] = {}
    backward: dict[int, list[tuple[int, int]]] = {}
    for source, type_id, target in Relation.objects.using(ALIAS).values_list(
        "source_id", "type_id", "target_id"
    ):
        if type_id in forward_types:
            forward.setdefault(source, []).append((type_id, target))
        if type_id in backward_types:
            backward.setdefault(target, []).append((type_id, source))
    return forward, backward


def _bfs(
    starts: list[int],
    depth: int,
    limit: int,
    forward: dict[int, list[tuple[int, int]]],
    backward: dict[int, list[tuple[int, int]]],
) -> dict[int, tuple[int | None, int]]:
    reached: dict[int, tuple[int | None, int]] = dict.fromkeys(starts, (None, 0))
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        distance = reached[node][1]
        if distance >= depth:
            continue
        for _, other in chain(forward.get(node, ()), backward.get(node, ())):
            if other not in reached:
                if len(reached) >= limit:
                    return reached
                reached[other] = (node, distance + 1)
                queue.append(other)
    return reached


def _median_ms(run: Any, start_sets: list[list[int]], repeats: int) -> tuple[float, int]:
    # As timeit does: the collector is off while a run is timed and runs between runs, so a
    # collection of the whole process's objects does not land in one run's figure.
    timings, reached = [], 0
    for n in range(repeats):
        starts = start_sets[n % len(start_sets)]
        gc.collect()
        gc.disable()
        try:
            began = time.perf_counter()
            found = run(starts)
            timings.append((time.perf_counter() - began) * 1000)
        finally:
            gc.enable()
        reached = max(reached, len(found))
    return statistics.median(timings), reached


def run(quick: bool) -> list[Row]:
    _setup_django()
    from ownup.understanding.walk import MAX_REACHED, describe, walk

    entities, relations = (20_000, 60_000) if quick else (100_000, 300_000)
    repeats = 15 if quick else 41
    _database(entities, relations)
    rng = random.Random(SEED + 1)
    # A mistake usually has one to three direct touch points.
    start_sets = [[rng.randint(1, entities) for _ in range(3)] for _ in range(repeats)]

    def project(starts: list[int]) -> dict[int, Any]:
        walked = walk(starts, DEPTH, using=ALIAS)
        describe(walked.hops, using=ALIAS)
        return walked.hops

    project(start_sets[0])  # warm the page cache and the query compiler
    figure, reached = _median_ms(project, start_sets, repeats)

    forward, backward = _in_memory_graph()

    def ceiling(starts: list[int]) -> dict[int, Any]:
        return _bfs(starts, DEPTH, MAX_REACHED, forward, backward)

    best, _ = _median_ms(ceiling, start_sets, repeats)
    return [
        row(
            f"touch-point walk, depth {DEPTH}, {entities:,} entities, {relations:,} relations "
            f"(SQLite), up to {reached} entities reached",
            round(figure, 2),
            "ms",
            ceiling=round(best, 3),
            target=f"≤ {TARGET_MS:.0f} ms",
            ok=figure <= TARGET_MS,
        )
    ]


if __name__ == "__main__":
    import sys

    for found in run(quick="--quick" in sys.argv):
        print(found)
