"""The rules of understanding a mistake: touch points and their implications, the problem
statement and both causes, contributing factors, the five whys, and the private just-culture
record.

Everyone who can see a mistake can read its understanding (except the just-culture record);
the people who may act on it (reporting.services.can_act) change it. Every change is one
transaction, and the visible ones are written to the mistake's timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import Max

from ownup.organisation.services import is_manager
from ownup.reporting.changes import mistakes_changed
from ownup.reporting.models import Mistake, TimelineEntry
from ownup.reporting.services import InvalidInput, NotAllowed, NotFound, can_act, can_see
from ownup.understanding import catalog
from ownup.understanding.forms import (
    AnalysisForm,
    FactorForm,
    JustCultureForm,
    OtherPlaceForm,
    TouchPointForm,
    WhyForm,
    errors_of,
)
from ownup.understanding.models import (
    Analysis,
    ContributingFactor,
    Culpability,
    Decision,
    Entity,
    FactorCategory,
    JustCulture,
    OtherPlace,
    ProposalDecision,
    RelationType,
    TouchPoint,
    Why,
    ensure_vocabulary,
)
from ownup.understanding.walk import DEFAULT_DEPTH, MAX_DEPTH, describe, walk

AnyUser = User | AnonymousUser
MAX_WHYS = 20

GUIDANCE = {
    Culpability.HUMAN_ERROR: (
        "Console: an inadvertent slip or lapse. Support the person, say plainly it was not "
        "their fault alone, and fix the conditions (the process, the tools) that let it happen."
    ),
    Culpability.AT_RISK: (
        "Coach: a choice whose risk was not seen or was believed justified, often a habit the "
        "system rewarded. Talk it through, remove the incentives for the shortcut, make the "
        "safe way the easy way."
    ),
    Culpability.RECKLESS: (
        "Act: a conscious disregard of a substantial, unjustifiable risk. Remedial or "
        "disciplinary action is fair here, handled privately and by the usual procedures."
    ),
}


def _require_actor(user: AnyUser, mistake: Mistake) -> None:
    if not can_act(user, mistake):
        raise NotAllowed(
            "only the mistake's people, its team's responders and admins may change its analysis"
        )


def _form(form_class: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    form = form_class(data=dict(data))
    if not form.is_valid():
        raise InvalidInput(errors_of(form))
    return form.cleaned_data


def _record(mistake: Mistake, actor: AnyUser, text: str) -> None:
    TimelineEntry.objects.create(
        mistake=mistake,
        actor=actor if actor.is_authenticated else None,
        kind=TimelineEntry.Kind.CHANGED,
        text=text,
    )


def _entity(reference: str) -> Entity:
    try:
        return catalog.get_entity(reference)
    except NotFound as missing:
        raise InvalidInput({"entity": [f"{missing}."]}) from None


# ------------------------------------------------------------ problem statement and causes


def analysis_of(mistake: Mistake) -> Analysis:
    return Analysis.objects.filter(mistake=mistake).first() or Analysis(mistake=mistake)


def save_analysis(mistake: Mistake, changes: Mapping[str, Any], *, actor: AnyUser) -> Analysis:
    """Change some parts of the problem statement and the causes; the rest stays."""
    _require_actor(actor, mistake)
    fields = AnalysisForm.Meta.fields
    if unknown := set(changes) - set(fields):
        raise InvalidInput(
            {name: ["This is not a part of the problem statement."] for name in sorted(unknown)}
        )
    current = analysis_of(mistake)
    before = {name: getattr(current, name) for name in fields}
    given = {k: ("" if v is None else v) for k, v in changes.items()}
    form = AnalysisForm(data={**before, **given}, instance=current)
    if not form.is_valid():
        raise InvalidInput(errors_of(form))
    with transaction.atomic():
        saved = form.save()
        changed = [n for n in fields if getattr(saved, n) != before[n]]
        if changed:
            labels = [str(AnalysisForm.base_fields[n].label).lower() for n in changed]
            _record(mistake, actor, "Problem statement: updated " + ", ".join(labels))
    return saved


def add_other_place(mistake: Mistake, data: Mapping[str, Any], *, actor: AnyUser) -> OtherPlace:
    """Somewhere else the same mistake could happen, optionally a catalogue entity."""
    _require_actor(actor, mistake)
    cleaned = _form(OtherPlaceForm, data)
    entity = _entity(cleaned["entity"]) if cleaned["entity"] else None
    with transaction.atomic():
        place = OtherPlace.objects.create(
            mistake=mistake, place=cleaned["place"].strip(), entity=entity, note=cleaned["note"]
        )
        _record(mistake, actor, f"Could happen elsewhere: {place.place}")
    return place


def remove_other_place(mistake: Mistake, place_id: int, *, actor: AnyUser) -> None:
    _require_actor(actor, mistake)
    deleted, _ = OtherPlace.objects.filter(mistake=mistake, pk=place_id).delete()
    if not deleted:
        raise NotFound(f"no other place #{place_id} on mistake #{mistake.pk}")


# ----------------------------------------------------------------------------- touch points


def touch_points(mistake: Mistake) -> list[TouchPoint]:
    return list(
        mistake.touch_points.select_related("entity__kind", "added_by").prefetch_related(
            "entity__owners"
        )
    )


def add_touch_point(
    mistake: Mistake, entity: str, impact: str, *, actor: AnyUser, via: str = ""
) -> TouchPoint:
    _require_actor(actor, mistake)
    cleaned = _form(TouchPointForm, {"entity": entity, "impact": (impact or "").strip()})
    found = _entity(cleaned["entity"])
    if mistake.touch_points.filter(entity=found).exists():
        raise InvalidInput({"entity": [f"{found.name} is a touch point of this mistake already."]})
    try:
        with transaction.atomic():
            point = TouchPoint.objects.create(
                mistake=mistake,
                entity=found,
                impact=cleaned["impact"],
                via=via[:1000],
                added_by=actor if actor.is_authenticated else None,
            )
            _record(mistake, actor, f"Touch point: {found.name} ({found.kind}): {point.impact}")
    except IntegrityError:
        raise InvalidInput(
            {"entity": [f"{found.name} is a touch point of this mistake already."]}
        ) from None
    return point


def _touch_point(mistake: Mistake, entity: str) -> TouchPoint:
    found = _entity(entity)
    point = mistake.touch_points.filter(entity=found).select_related("entity__kind").first()
    if point is None:
        raise NotFound(f"{found.name} is not a touch point of mistake #{mistake.pk}")
    return point


def change_impact(mistake: Mistake, entity: str, impact: str, *, actor: AnyUser) -> TouchPoint:
    _require_actor(actor, mistake)
    point = _touch_point(mistake, entity)
    cleaned = _form(TouchPointForm, {"entity": entity, "impact": (impact or "").strip()})
    with transaction.atomic():
        point.impact = cleaned["impact"]
        point.save(update_fields=["impact"])
        _record(mistake, actor, f"Touch point {point.entity.name}: impact now {point.impact}")
    return point


def remove_touch_point(mistake: Mistake, entity: str, *, actor: AnyUser) -> None:
    _require_actor(actor, mistake)
    point = _touch_point(mistake, entity)
    with transaction.atomic():
        # An accepted proposal lives on as the touch point; without it, it may be proposed again.
        mistake.proposals.filter(entity=point.entity, decision=Decision.ACCEPTED).delete()
        point.delete()
        _record(mistake, actor, f"Touch point removed: {point.entity.name}")


# ----------------------------------------------------------------------------- implications


@dataclass(frozen=True)
class Step:
    """One hop of a proposal's path: an entity, or the owner at its end."""

    label: str
    kind: str
    key: str
    relation: str  # how it was reached from the step before ("" for the first)
    forward: bool


@dataclass(frozen=True)
class Proposal:
    """A further entity the mistake probably affects, or a person to involve, and why."""

    type: str  # "entity" or "person"
    ref: str  # the entity's key, or "@username"
    name: str
    kind: str
    distance: int
    path: tuple[Step, ...]
    decision: str  # "" while open, or accepted / dismissed

    @property
    def path_text(self) -> str:
        first, *rest = self.path
        return " → ".join([first.label, *(f"{s.label} ({s.kind})" for s in rest)])

    @property
    def parent_ref(self) -> str:
        return self.path[-2].key if len(self.path) > 1 else ""


@dataclass
class Implications:
    depth: int
    starts: list[Step] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    truncated: bool = False

    @property
    def open(self) -> list[Proposal]:
        return [p for p in self.proposals if not p.decision]

    @property
    def dismissed(self) -> list[Proposal]:
        return [p for p in self.proposals if p.decision == Decision.DISMISSED]

    @property
    def accepted_people(self) -> list[Proposal]:
        return [p for p in self.proposals if p.type == "person" and p.decision]


def check_depth(depth: Any) -> int:
    try:
        value = int(depth)
    except (TypeError, ValueError):
        raise InvalidInput({"depth": [f"The depth is a number from 1 to {MAX_DEPTH}."]}) from None
    if not 1 <= value <= MAX_DEPTH:
        raise InvalidInput(
            {"depth": [f"The depth is from 1 to {MAX_DEPTH} relations, not {value}."]}
        )
    return value


def implications(mistake: Mistake, depth: int = DEFAULT_DEPTH) -> Implications:
    """Walk the catalogue from the touch points and propose what else is affected, and who to
    involve, each with the path that led there; remembered decisions come with them."""
    depth = check_depth(depth)
    starts = list(
        mistake.touch_points.order_by("added_at", "pk").values_list("entity_id", flat=True)
    )
    decisions = {
        (d.entity_id, d.person_id): d.decision
        for d in ProposalDecision.objects.filter(mistake=mistake)
    }
    dismissed_entities = {
        entity for (entity, _), decision in decisions.items() if entity and decision == "dismissed"
    }
    walked = walk(starts, depth, stop_at=dismissed_entities)
    nodes = describe(walked.hops)
    type_names = dict(RelationType.objects.values_list("pk", "name"))
    result = Implications(depth=depth, truncated=walked.truncated)
    result.starts = [_step(nodes[e], None, type_names) for e in starts if e in nodes]
    people: dict[int, Proposal] = {}
    for entity_id, hop in walked.hops.items():
        if entity_id not in nodes:
            continue
        path = tuple(_step(nodes[h.entity_id], h, type_names) for h in walked.path(entity_id))
        decision = decisions.get((entity_id, None), "")
        if hop.distance > 0:
            node = nodes[entity_id]
            result.proposals.append(
                Proposal("entity", node.key, node.name, node.kind, hop.distance, path, decision)
            )
        if decision == Decision.DISMISSED:
            continue  # not affected, so its owners need not be involved through it
        for user_id, username, display in nodes[entity_id].owners:
            known = people.get(user_id)
            if known is not None and known.distance <= hop.distance + 1:
                continue
            owner = Step(display, "owner", "@" + username, "owner", True)
            people[user_id] = Proposal(
                "person",
                "@" + username,
                display,
                "person",
                hop.distance + 1,
                (*path, owner),
                decisions.get((None, user_id), ""),
            )
    result.proposals.extend(people.values())
    result.proposals.sort(key=lambda p: (p.distance, p.type != "entity", p.name.lower()))
    return result


def _step(node: Any, hop: Any, type_names: dict[int, str]) -> Step:
    relation = type_names.get(hop.type_id, "") if hop is not None and hop.type_id else ""
    return Step(node.name, node.kind, node.key, relation, hop.forward if hop else True)


def decide(
    mistake: Mistake,
    ref: str,
    decision: str,
    *,
    actor: AnyUser,
    impact: str = "",
) -> Proposal:
    """Accept (an entity becomes a touch point) or dismiss a proposal; the decision is kept."""
    _require_actor(actor, mistake)
    if decision not in Decision.values:
        raise InvalidInput({"decision": ["Choose accepted or dismissed."]})
    ref = (ref or "").strip()
    proposal = next((p for p in implications(mistake, MAX_DEPTH).proposals if p.ref == ref), None)
    if proposal is None:
        raise InvalidInput(
            {"ref": [f"{ref!r} is not proposed for this mistake (see its implications)."]}
        )
    with transaction.atomic():
        if proposal.type == "entity":
            entity = Entity.objects.get(key=proposal.ref)
            if proposal.decision == Decision.ACCEPTED:
                raise InvalidInput(
                    {"ref": [f"{entity.name} is a touch point already; remove it instead."]}
                )
            if decision == Decision.ACCEPTED:
                add_touch_point(
                    mistake,
                    entity.key,
                    impact or f"Affected through {proposal.path[-2].label}",
                    actor=actor,
                    via=proposal.path_text,
                )
            else:
                _record(mistake, actor, f"Not affected: {entity.name} (dismissed)")
            target: dict[str, Any] = {"entity": entity}
        else:
            person = User.objects.get(username=proposal.ref.removeprefix("@"))
            target = {"person": person}
            verb = "To involve" if decision == Decision.ACCEPTED else "Not to involve"
            _record(mistake, actor, f"{verb}: {proposal.name}")
        ProposalDecision.objects.update_or_create(
            mistake=mistake,
            **target,
            defaults={
                "decision": decision,
                "path": proposal.path_text[:1000],
                "decided_by": actor if actor.is_authenticated else None,
            },
        )
    return Proposal(
        proposal.type,
        proposal.ref,
        proposal.name,
        proposal.kind,
        proposal.distance,
        proposal.path,
        decision,
    )


def people_to_involve(mistake: Mistake) -> list[User]:
    """The touch points' owners and the accepted people, for those who tell and fix."""
    owners = User.objects.filter(owned_entities__touch_points__mistake=mistake)
    accepted = User.objects.filter(
        pk__in=mistake.proposals.filter(decision=Decision.ACCEPTED, person__isnull=False).values(
            "person_id"
        )
    )
    dismissed = mistake.proposals.filter(decision=Decision.DISMISSED, person__isnull=False)
    chosen = (owners | accepted).exclude(pk__in=dismissed.values("person_id")).distinct()
    return [u for u in chosen.filter(is_active=True).order_by("username") if can_see(u, mistake)]


# -------------------------------------------------------------------- contributing factors


def factors(mistake: Mistake) -> list[ContributingFactor]:
    return list(mistake.contributing_factors.select_related("category", "added_by"))


def add_factor(mistake: Mistake, category: str, text: str, *, actor: AnyUser) -> ContributingFactor:
    _require_actor(actor, mistake)
    ensure_vocabulary()
    cleaned = _form(FactorForm, {"category": (category or "").strip().lower(), "text": text})
    text = cleaned["text"].strip()
    if not text:
        raise InvalidInput({"text": ["Say what contributed."]})
    with transaction.atomic():
        factor = ContributingFactor.objects.create(
            mistake=mistake,
            category=cleaned["category"],
            text=text,
            added_by=actor if actor.is_authenticated else None,
        )
        _record(mistake, actor, f"Contributing factor ({factor.category}): {text}")
        mistakes_changed([mistake.pk])  # the dashboard counts it by its factors' categories
    return factor


def remove_factor(mistake: Mistake, factor_id: int, *, actor: AnyUser) -> None:
    _require_actor(actor, mistake)
    with transaction.atomic():
        deleted, _ = ContributingFactor.objects.filter(mistake=mistake, pk=factor_id).delete()
        if not deleted:
            raise NotFound(f"no contributing factor #{factor_id} on mistake #{mistake.pk}")
        mistakes_changed([mistake.pk])


def categories() -> list[FactorCategory]:
    ensure_vocabulary()
    return list(FactorCategory.objects.all())


# ---------------------------------------------------------------------------- five whys


def whys(mistake: Mistake) -> list[Why]:
    return list(mistake.whys.all())


def add_why(mistake: Mistake, answer: str, *, actor: AnyUser) -> Why:
    """The next answer of the chain: why did the answer before it happen?"""
    _require_actor(actor, mistake)
    cleaned = _form(WhyForm, {"answer": (answer or "").strip()})
    with transaction.atomic():
        last = mistake.whys.select_for_update().aggregate(last=Max("position"))["last"] or 0
        if last >= MAX_WHYS:
            raise InvalidInput({"answer": [f"The chain has {MAX_WHYS} whys; that is enough."]})
        return Why.objects.create(mistake=mistake, position=last + 1, answer=cleaned["answer"])


def _why(mistake: Mistake, position: int) -> Why:
    found = mistake.whys.filter(position=position).first()
    if found is None:
        raise NotFound(f"mistake #{mistake.pk} has no why number {position}")
    return found


def change_why(mistake: Mistake, position: int, answer: str, *, actor: AnyUser) -> Why:
    _require_actor(actor, mistake)
    why = _why(mistake, position)
    why.answer = _form(WhyForm, {"answer": (answer or "").strip()})["answer"]
    why.save(update_fields=["answer"])
    return why


def remove_why(mistake: Mistake, position: int, *, actor: AnyUser) -> None:
    """Remove one answer; the ones after it move up, so the chain stays numbered 1, 2, 3..."""
    _require_actor(actor, mistake)
    with transaction.atomic():
        _why(mistake, position).delete()
        for later in mistake.whys.filter(position__gt=position).order_by("position"):
            later.position -= 1
            later.save(update_fields=["position"])


# --------------------------------------------------------------------- just culture (private)


def can_see_just_culture(user: AnyUser, mistake: Mistake) -> bool:
    """Managers and the reporter; nobody else learns the record exists."""
    if not user.is_authenticated or not can_see(user, mistake):
        return False
    return is_manager(user) or (mistake.reporter_id is not None and mistake.reporter_id == user.pk)


def _require_just_culture_reader(user: AnyUser, mistake: Mistake) -> None:
    if not can_see_just_culture(user, mistake):
        raise NotAllowed("the just-culture record is for managers and the reporter only")


def just_culture(mistake: Mistake, *, reader: AnyUser) -> JustCulture | None:
    _require_just_culture_reader(reader, mistake)
    return JustCulture.objects.filter(mistake=mistake).first()


def classify(mistake: Mistake, data: Mapping[str, Any], *, actor: AnyUser) -> JustCulture:
    """Record the classification. Managers only, and never on the timeline: it stays private."""
    if not is_manager(actor) or not can_see(actor, mistake):
        raise NotAllowed("only managers classify a mistake for the just-culture record")
    cleaned = _form(JustCultureForm, data)
    record, _ = JustCulture.objects.update_or_create(
        mistake=mistake,
        defaults={
            "classification": cleaned["classification"],
            "note": cleaned["note"],
            "classified_by": actor if actor.is_authenticated else None,
        },
    )
    return record


def unclassify(mistake: Mistake, *, actor: AnyUser) -> None:
    if not is_manager(actor) or not can_see(actor, mistake):
        raise NotAllowed("only managers classify a mistake for the just-culture record")
    JustCulture.objects.filter(mistake=mistake).delete()


def guidance(record: JustCulture) -> str:
    return GUIDANCE[Culpability(record.classification)]


# ------------------------------------------------------------------------ the stage's rule


def missing_for_understood(mistake: Mistake) -> str | None:
    missing = []
    if not mistake.touch_points.exists():
        missing.append("no touch point is recorded")
    if not mistake.contributing_factors.exists():
        missing.append("no contributing factor is recorded")
    return " and ".join(missing) or None


# ---------------------------------------------------------------------------- the record


def understanding_record(mistake: Mistake) -> dict[str, Any]:
    """Everything of the stage as plain values: never the just-culture record."""
    current = analysis_of(mistake)
    return {
        "problem": {name: getattr(current, name) for name in AnalysisForm.Meta.fields},
        "other_places": [
            other_place_record(p) for p in mistake.other_places.select_related("entity")
        ],
        "touch_points": [touch_point_record(t) for t in touch_points(mistake)],
        "contributing_factors": [factor_record(f) for f in factors(mistake)],
        "whys": [{"position": w.position, "answer": w.answer} for w in whys(mistake)],
        "people_to_involve": [u.get_username() for u in people_to_involve(mistake)],
    }


def touch_point_record(point: TouchPoint) -> dict[str, Any]:
    return {
        "entity": point.entity.key,
        "name": point.entity.name,
        "kind": point.entity.kind.name,
        "impact": point.impact,
        "via": point.via,
        "owners": sorted(u.get_username() for u in point.entity.owners.all()),
        "added_at": point.added_at,
    }


def factor_record(factor: ContributingFactor) -> dict[str, Any]:
    return {"id": factor.pk, "category": factor.category.name, "text": factor.text}


def other_place_record(place: OtherPlace) -> dict[str, Any]:
    return {
        "id": place.pk,
        "place": place.place,
        "entity": place.entity.key if place.entity else None,
        "note": place.note,
    }


def proposal_record(proposal: Proposal) -> dict[str, Any]:
    return {
        "type": proposal.type,
        "ref": proposal.ref,
        "name": proposal.name,
        "kind": proposal.kind,
        "distance": proposal.distance,
        "decision": proposal.decision or None,
        "path": proposal.path_text,
        "steps": [
            {
                "key": s.key,
                "name": s.label,
                "kind": s.kind,
                "relation": s.relation or None,
                "direction": None if not s.relation else ("forward" if s.forward else "backward"),
            }
            for s in proposal.path
        ],
    }
