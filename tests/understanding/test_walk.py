"""The walk: directions, depth, cycles, dismissals, the limit; one query per level."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ownup.understanding import catalog
from ownup.understanding.models import Entity, EntityKind, Relation, RelationType
from ownup.understanding.walk import walk


def _ids(*keys):
    return [Entity.objects.get(key=k).pk for k in keys]


def _keys(walked):
    names = dict(Entity.objects.values_list("pk", "key"))
    return {names[e]: hop.distance for e, hop in walked.hops.items()}


def test_impact_follows_each_relation_types_direction(catalogue):
    # invoicing serves acme (forward), acme depends on invoicing (backward: reaches acme),
    # payflow depends on invoicing (reaches payflow); invoicing uses price-list does not carry
    # impact from invoicing to the price list.
    reached = _keys(walk(_ids("invoicing"), 1))
    assert reached == {"invoicing": 0, "acme": 1, "globex": 1, "payflow": 1}


def test_the_price_list_reaches_whoever_uses_it_and_further(catalogue):
    reached = _keys(walk(_ids("price-list"), 3))
    assert reached == {
        "price-list": 0,
        "billing-run": 1,
        "invoicing": 1,
        "team-billing": 2,
        "acme": 2,
        "globex": 2,
        "payflow": 2,
    }


def test_cycles_end_the_walk_and_nothing_is_visited_twice(responder):
    kind = EntityKind.objects.get(name="system")
    serves = RelationType.objects.get(name="serves")
    ring = [Entity.objects.create(key=f"n{i}", name=f"N{i}", kind=kind) for i in range(5)]
    for i, entity in enumerate(ring):
        Relation.objects.create(source=entity, type=serves, target=ring[(i + 1) % 5])
    walked = walk([ring[0].pk], 6)
    assert len(walked.hops) == 5
    assert walked.hops[ring[4].pk].distance == 4
    assert walked.path(ring[4].pk)[0].entity_id == ring[0].pk
    assert not walked.truncated


def test_depth_bounds_the_walk_and_one_query_per_level(responder):
    kind = EntityKind.objects.get(name="system")
    serves = RelationType.objects.get(name="serves")
    chain = [Entity.objects.create(key=f"c{i}", name=f"C{i}", kind=kind) for i in range(8)]
    for a, b in itertools.pairwise(chain):
        Relation.objects.create(source=a, type=serves, target=b)
    with CaptureQueriesContext(connection) as queries:
        walked = walk([chain[0].pk], 4)
    assert max(h.distance for h in walked.hops.values()) == 4
    assert len(walked.hops) == 5
    levels = [q for q in queries.captured_queries if "FROM understanding_relation " in q["sql"]]
    assert len(levels) == 4


def test_a_dismissed_entity_is_reached_but_not_walked_through(catalogue):
    (billing_run,) = _ids("billing-run")
    reached = _keys(walk(_ids("price-list"), 3, stop_at={billing_run}))
    assert reached["billing-run"] == 1
    assert "team-billing" not in reached  # only the invoice run led there
    assert reached["acme"] == 2


def test_the_limit_stops_a_walk_that_would_flood(responder):
    kind = EntityKind.objects.get(name="customer")
    hub = Entity.objects.create(key="hub", name="Hub", kind=kind)
    serves = RelationType.objects.get(name="serves")
    leaves = Entity.objects.bulk_create(
        [Entity(key=f"leaf{i}", name=f"Leaf {i}", kind=kind) for i in range(30)]
    )
    Relation.objects.bulk_create(
        [Relation(source=hub, type=serves, target=leaf) for leaf in leaves]
    )
    walked = walk([hub.pk], 2, limit=10)
    assert len(walked.hops) == 10
    assert walked.truncated


@pytest.mark.parametrize("depth", [-1, 7, 10_000])
def test_a_depth_outside_the_bounds_is_refused(depth):
    with pytest.raises(ValueError, match="depth"):
        walk([1], depth)


def test_relating_an_entity_to_itself_is_refused_by_the_database_too(catalogue):
    from django.db import IntegrityError, transaction

    acme = catalog.get_entity("acme")
    with pytest.raises(IntegrityError), transaction.atomic():
        Relation.objects.create(source=acme, type=RelationType.objects.first(), target=acme)
