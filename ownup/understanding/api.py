"""API routes of the catalogue and of understanding a mistake: thin adapters over the services."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ownup.reporting.services import get_mistake
from ownup.understanding import catalog, services, transfer
from ownup.understanding.models import (
    Entity,
    EntityKind,
    FactorCategory,
    Flow,
    RelationType,
    ensure_vocabulary,
)
from ownup.understanding.walk import DEFAULT_DEPTH, MAX_DEPTH

router = Router(tags=["Understanding"])

MAX_OFFSET = 1_000_000_000

# ------------------------------------------------------------------------------- schemas


class EntityOut(Schema):
    key: str
    name: str
    kind: str
    description: str
    owners: list[str] = Field(..., description="Usernames of the people who answer for it.")


class RelationOut(Schema):
    id: int
    from_: str = Field(..., alias="from", description="The source entity's key.")
    type: str
    to: str = Field(..., description="The target entity's key.")


class EntityDetail(EntityOut):
    relations: list[RelationOut]


class EntityIn(Schema):
    name: str = Field(..., max_length=200)
    kind: str = Field(..., description="A kind's name, like customer or system.")
    key: str | None = Field(None, description="Unique; made from the name when left out.")
    description: str | None = None
    owners: list[str] | None = Field(None, description="Usernames.")


class EntityChange(Schema):
    name: str | None = Field(None, max_length=200)
    kind: str | None = None
    key: str | None = None
    description: str | None = None
    owners: list[str] | None = None


class EntityPage(Schema):
    count: int
    items: list[EntityOut]


class EntityFilters(Schema):
    q: str = Field("", description="Part of a name or key.")
    kind: str = ""
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class RelationIn(Schema):
    from_: str = Field(..., alias="from", description="The source entity's key.")
    type: str = Field(..., description="A relation type's name, like 'depends on'.")
    to: str = Field(..., description="The target entity's key.")


class KindIn(Schema):
    name: str
    description: str = ""


class KindOut(Schema):
    name: str
    description: str


class RelationTypeIn(KindIn):
    flows: Flow = Field(Flow.FORWARD, description="Which way a mistake's impact travels.")


class RelationTypeOut(KindOut):
    flows: str


class ImportIn(Schema):
    format: Literal["csv", "yaml"]
    content: str = Field(..., description="The whole file, as text.")


class ImportOut(Schema):
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    summary: str


class ProblemIn(Schema):
    what: str | None = None
    where: str | None = None
    when: str | None = None
    how_much: str | None = None
    is_not: str | None = Field(None, description="What the problem is not: the boundary.")
    why_it_happened: str | None = None
    why_not_caught: str | None = Field(None, description="Why nobody caught it earlier.")
    escape_point: str | None = Field(None, description="Where it should have been caught.")


class ProblemOut(Schema):
    what: str
    where: str
    when: str
    how_much: str
    is_not: str
    why_it_happened: str
    why_not_caught: str
    escape_point: str


class TouchPointIn(Schema):
    entity: str = Field(..., description="The entity's key (or its exact name).")
    impact: str = Field(..., description="How the mistake affects it.")


class ImpactIn(Schema):
    impact: str


class TouchPointOut(Schema):
    entity: str
    name: str
    kind: str
    impact: str
    via: str
    owners: list[str]
    added_at: datetime


class StepOut(Schema):
    key: str
    name: str
    kind: str
    relation: str | None
    direction: str | None


class ProposalOut(Schema):
    type: Literal["entity", "person"]
    ref: str = Field(..., description="The entity's key, or @username for a person.")
    name: str
    kind: str
    distance: int
    decision: str | None
    path: str
    steps: list[StepOut]


class ImplicationsOut(Schema):
    depth: int
    truncated: bool
    proposals: list[ProposalOut]


class ImplicationDecisionIn(Schema):
    ref: str = Field(..., description="The proposal's ref: an entity key or @username.")
    decision: Literal["accepted", "dismissed"]
    impact: str = Field("", description="For an accepted entity: its impact (else the path).")


class FactorIn(Schema):
    category: str = Field(..., description="people, process, tools... (see factor categories)")
    text: str


class FactorOut(Schema):
    id: int
    category: str
    text: str


class CategoryOut(Schema):
    name: str
    description: str


class WhyIn(Schema):
    answer: str


class WhyOut(Schema):
    position: int
    answer: str


class OtherPlaceIn(Schema):
    place: str
    entity: str = Field("", description="Optionally, a catalogue entity's key.")
    note: str = ""


class OtherPlaceOut(Schema):
    id: int
    place: str
    entity: str | None
    note: str


class UnderstandingOut(Schema):
    problem: ProblemOut
    other_places: list[OtherPlaceOut]
    touch_points: list[TouchPointOut]
    contributing_factors: list[FactorOut]
    whys: list[WhyOut]
    people_to_involve: list[str]


class JustCultureIn(Schema):
    classification: Literal["human_error", "at_risk", "reckless"]
    note: str = ""


class JustCultureOut(Schema):
    classification: str | None
    note: str
    guidance: str


# ----------------------------------------------------------------------------- catalogue


@router.get("/catalog/entities", response=EntityPage, summary="Search the catalogue")
def list_entities(request: HttpRequest, filters: Query[EntityFilters]) -> dict[str, Any]:
    found = catalog.search(filters.q, filters.kind)
    page = found[filters.offset : filters.offset + filters.limit]
    return {"count": found.count(), "items": [catalog.entity_record(e) for e in page]}


@router.post("/catalog/entities", response={201: EntityOut}, summary="Add an entity")
def create_entity(request: HttpRequest, payload: EntityIn) -> Status[dict[str, Any]]:
    data = payload.model_dump(exclude_unset=True)
    entity = catalog.create_entity(data, actor=request.user)
    return Status(201, catalog.entity_record(entity))


@router.get(
    "/catalog/entities/{key}",
    response=EntityDetail,
    summary="An entity with its relations",
    by_alias=True,
)
def show_entity(request: HttpRequest, key: str) -> dict[str, Any]:
    return catalog.entity_record(_entity(key), with_relations=True)


@router.patch(
    "/catalog/entities/{key}", response=EntityDetail, summary="Change an entity", by_alias=True
)
def change_entity(request: HttpRequest, key: str, payload: EntityChange) -> dict[str, Any]:
    changes = payload.model_dump(exclude_unset=True)
    entity = catalog.update_entity(_entity(key), changes, actor=request.user)
    return catalog.entity_record(entity, with_relations=True)


@router.delete(
    "/catalog/entities/{key}", response={204: None}, summary="Delete an entity and its relations"
)
def delete_entity(request: HttpRequest, key: str) -> Status[None]:
    catalog.delete_entity(_entity(key), actor=request.user)
    return Status(204, None)


@router.post(
    "/catalog/relations",
    response={201: RelationOut},
    summary="Relate two entities",
    by_alias=True,
)
def create_relation(request: HttpRequest, payload: RelationIn) -> Status[dict[str, Any]]:
    source, target = _entity(payload.from_), _entity(payload.to)
    relation = catalog.relate(source, payload.type, target, actor=request.user)
    record = {"id": relation.pk, "from": source.key, "type": relation.type.name, "to": target.key}
    return Status(201, record)


@router.delete(
    "/catalog/relations/{relation_id}", response={204: None}, summary="Remove a relation"
)
def delete_relation(request: HttpRequest, relation_id: int) -> Status[None]:
    catalog.unrelate(relation_id, actor=request.user)
    return Status(204, None)


@router.get("/catalog/kinds", response=list[KindOut], summary="The kinds of entity")
def list_kinds(request: HttpRequest) -> list[EntityKind]:
    ensure_vocabulary()
    return list(EntityKind.objects.all())


@router.post("/catalog/kinds", response={201: KindOut}, summary="Add a kind of entity")
def create_kind(request: HttpRequest, payload: KindIn) -> Status[EntityKind]:
    return Status(201, catalog.create_kind(payload.model_dump(), actor=request.user))


@router.get("/catalog/relation-types", response=list[RelationTypeOut], summary="The relation types")
def list_relation_types(request: HttpRequest) -> list[RelationType]:
    ensure_vocabulary()
    return list(RelationType.objects.all())


@router.post(
    "/catalog/relation-types", response={201: RelationTypeOut}, summary="Add a relation type"
)
def create_relation_type(request: HttpRequest, payload: RelationTypeIn) -> Status[RelationType]:
    data = payload.model_dump(mode="json")
    return Status(201, catalog.create_relation_type(data, actor=request.user))


@router.get(
    "/catalog/factor-categories",
    response=list[CategoryOut],
    summary="The categories of contributing factors",
)
def list_categories(request: HttpRequest) -> list[FactorCategory]:
    return services.categories()


class ExportOut(Schema):
    format: Literal["csv", "yaml"]
    content: str = Field(..., description="The whole file, as text; it imports back unchanged.")


@router.get("/catalog/export", response=ExportOut, summary="The whole catalogue as CSV or YAML")
def export_catalog(request: HttpRequest, format: Literal["csv", "yaml"] = "yaml") -> dict[str, Any]:
    out = io.StringIO()
    transfer.export_catalog(format, out)
    return {"format": format, "content": out.getvalue()}


@router.post(
    "/catalog/import",
    response=ImportOut,
    summary="Import a CSV or YAML catalogue file",
    description="Checked whole, then written in one transaction; importing twice changes "
    "nothing the second time. A bad row changes nothing and is named in the error.",
)
def import_catalog(request: HttpRequest, payload: ImportIn) -> dict[str, Any]:
    if not catalog.can_edit(request.user):
        raise services.NotAllowed("only responders, managers and admins may change the catalogue")
    result = transfer.import_catalog(payload.content, payload.format)
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "summary": result.summary(),
    }


def _entity(key: str) -> Entity:
    return catalog.get_entity(key)


# ------------------------------------------------------------------------ a mistake's picture


@router.get(
    "/mistakes/{mistake_id}/understanding",
    response=UnderstandingOut,
    summary="Everything understood about a mistake",
)
def understanding(request: HttpRequest, mistake_id: int) -> dict[str, Any]:
    return services.understanding_record(get_mistake(request.user, mistake_id))


@router.patch(
    "/mistakes/{mistake_id}/problem",
    response=ProblemOut,
    summary="Write the problem statement and the two causes",
)
def change_problem(request: HttpRequest, mistake_id: int, payload: ProblemIn) -> Any:
    mistake = get_mistake(request.user, mistake_id)
    return services.save_analysis(
        mistake, payload.model_dump(exclude_unset=True), actor=request.user
    )


@router.get(
    "/mistakes/{mistake_id}/touch-points",
    response=list[TouchPointOut],
    summary="The entities a mistake affects",
)
def list_touch_points(request: HttpRequest, mistake_id: int) -> list[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    return [services.touch_point_record(t) for t in services.touch_points(mistake)]


@router.post(
    "/mistakes/{mistake_id}/touch-points",
    response={201: TouchPointOut},
    summary="Add a touch point",
)
def add_touch_point(
    request: HttpRequest, mistake_id: int, payload: TouchPointIn
) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    point = services.add_touch_point(mistake, payload.entity, payload.impact, actor=request.user)
    return Status(201, services.touch_point_record(point))


@router.patch(
    "/mistakes/{mistake_id}/touch-points/{key}",
    response=TouchPointOut,
    summary="Change a touch point's impact",
)
def change_touch_point(
    request: HttpRequest, mistake_id: int, key: str, payload: ImpactIn
) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    point = services.change_impact(mistake, key, payload.impact, actor=request.user)
    return services.touch_point_record(point)


@router.delete(
    "/mistakes/{mistake_id}/touch-points/{key}",
    response={204: None},
    summary="Remove a touch point",
)
def remove_touch_point(request: HttpRequest, mistake_id: int, key: str) -> Status[None]:
    mistake = get_mistake(request.user, mistake_id)
    services.remove_touch_point(mistake, key, actor=request.user)
    return Status(204, None)


@router.get(
    "/mistakes/{mistake_id}/implications",
    response=ImplicationsOut,
    summary="What follows from the touch points",
    description="Walks the catalogue's relations from the touch points, up to `depth` steps "
    f"(1 to {MAX_DEPTH}, default {DEFAULT_DEPTH}), and proposes the further entities affected "
    "and the people who own them, each with the path that led there. Decided proposals come "
    "with their decision; a dismissed entity is not walked through.",
)
def list_implications(
    request: HttpRequest, mistake_id: int, depth: int = DEFAULT_DEPTH
) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    found = services.implications(mistake, depth)
    return {
        "depth": found.depth,
        "truncated": found.truncated,
        "proposals": [services.proposal_record(p) for p in found.proposals],
    }


@router.post(
    "/mistakes/{mistake_id}/implications",
    response=ProposalOut,
    summary="Accept or dismiss a proposed implication",
    description="Accepting an entity makes it a touch point; accepting a person adds them to "
    "the people to involve. Dismissals are remembered.",
)
def decide(request: HttpRequest, mistake_id: int, payload: ImplicationDecisionIn) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    proposal = services.decide(
        mistake, payload.ref, payload.decision, actor=request.user, impact=payload.impact
    )
    return services.proposal_record(proposal)


@router.get(
    "/mistakes/{mistake_id}/factors",
    response=list[FactorOut],
    summary="A mistake's contributing factors",
)
def list_factors(request: HttpRequest, mistake_id: int) -> list[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    return [services.factor_record(f) for f in services.factors(mistake)]


@router.post(
    "/mistakes/{mistake_id}/factors",
    response={201: FactorOut},
    summary="Add a contributing factor",
)
def add_factor(request: HttpRequest, mistake_id: int, payload: FactorIn) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    factor = services.add_factor(mistake, payload.category, payload.text, actor=request.user)
    return Status(201, services.factor_record(factor))


@router.delete(
    "/mistakes/{mistake_id}/factors/{factor_id}",
    response={204: None},
    summary="Remove a contributing factor",
)
def remove_factor(request: HttpRequest, mistake_id: int, factor_id: int) -> Status[None]:
    mistake = get_mistake(request.user, mistake_id)
    services.remove_factor(mistake, factor_id, actor=request.user)
    return Status(204, None)


@router.get(
    "/mistakes/{mistake_id}/whys", response=list[WhyOut], summary="The five-whys chain, in order"
)
def list_whys(request: HttpRequest, mistake_id: int) -> list[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    return [{"position": w.position, "answer": w.answer} for w in services.whys(mistake)]


@router.post(
    "/mistakes/{mistake_id}/whys",
    response={201: WhyOut},
    summary="Add the next why to the chain",
)
def add_why(request: HttpRequest, mistake_id: int, payload: WhyIn) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    why = services.add_why(mistake, payload.answer, actor=request.user)
    return Status(201, {"position": why.position, "answer": why.answer})


@router.patch(
    "/mistakes/{mistake_id}/whys/{position}", response=WhyOut, summary="Change one why's answer"
)
def change_why(
    request: HttpRequest, mistake_id: int, position: int, payload: WhyIn
) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    why = services.change_why(mistake, position, payload.answer, actor=request.user)
    return {"position": why.position, "answer": why.answer}


@router.delete(
    "/mistakes/{mistake_id}/whys/{position}",
    response={204: None},
    summary="Remove a why; the later ones move up",
)
def remove_why(request: HttpRequest, mistake_id: int, position: int) -> Status[None]:
    mistake = get_mistake(request.user, mistake_id)
    services.remove_why(mistake, position, actor=request.user)
    return Status(204, None)


@router.get(
    "/mistakes/{mistake_id}/other-places",
    response=list[OtherPlaceOut],
    summary="Where else the same mistake could happen",
)
def list_other_places(request: HttpRequest, mistake_id: int) -> list[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    return [services.other_place_record(p) for p in mistake.other_places.select_related("entity")]


@router.post(
    "/mistakes/{mistake_id}/other-places",
    response={201: OtherPlaceOut},
    summary="Record another place it could happen",
)
def add_other_place(
    request: HttpRequest, mistake_id: int, payload: OtherPlaceIn
) -> Status[dict[str, Any]]:
    mistake = get_mistake(request.user, mistake_id)
    place = services.add_other_place(mistake, payload.model_dump(), actor=request.user)
    return Status(201, services.other_place_record(place))


@router.delete(
    "/mistakes/{mistake_id}/other-places/{place_id}",
    response={204: None},
    summary="Remove another place",
)
def remove_other_place(request: HttpRequest, mistake_id: int, place_id: int) -> Status[None]:
    mistake = get_mistake(request.user, mistake_id)
    services.remove_other_place(mistake, place_id, actor=request.user)
    return Status(204, None)


@router.get(
    "/mistakes/{mistake_id}/just-culture",
    response=JustCultureOut,
    summary="The private just-culture classification",
    description="Managers and the reporter only; everyone else gets 403.",
)
def show_just_culture(request: HttpRequest, mistake_id: int) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    record = services.just_culture(mistake, reader=request.user)
    return _culture(record)


@router.put(
    "/mistakes/{mistake_id}/just-culture",
    response=JustCultureOut,
    summary="Classify a mistake privately (managers)",
)
def classify(request: HttpRequest, mistake_id: int, payload: JustCultureIn) -> dict[str, Any]:
    mistake = get_mistake(request.user, mistake_id)
    return _culture(services.classify(mistake, payload.model_dump(), actor=request.user))


@router.delete(
    "/mistakes/{mistake_id}/just-culture",
    response={204: None},
    summary="Clear the just-culture classification (managers)",
)
def unclassify(request: HttpRequest, mistake_id: int) -> Status[None]:
    mistake = get_mistake(request.user, mistake_id)
    services.unclassify(mistake, actor=request.user)
    return Status(204, None)


def _culture(record: Any) -> dict[str, Any]:
    if record is None:
        return {"classification": None, "note": "", "guidance": ""}
    return {
        "classification": record.classification,
        "note": record.note,
        "guidance": services.guidance(record),
    }
