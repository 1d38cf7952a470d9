"""Web pages of the catalogue and the Understanding section of a mistake: thin adapters."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ownup.reporting import services as reporting
from ownup.reporting.inplace import with_errors
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import InvalidInput, NotAllowed, NotFound
from ownup.understanding import catalog, graph, services, transfer
from ownup.understanding.forms import (
    AnalysisForm,
    EntityForm,
    FactorForm,
    JustCultureForm,
    KindForm,
    OtherPlaceForm,
    RelationForm,
    RelationTypeForm,
    TouchPointForm,
    WhyForm,
)
from ownup.understanding.models import Entity, EntityKind, RelationType, ensure_vocabulary
from ownup.understanding.walk import DEFAULT_DEPTH, MAX_DEPTH

PAGE_SIZE = 50
SUGGESTIONS = 20
FLASH = "understanding_form"

# ------------------------------------------------------------------ the section on a mistake


def _depth(request: HttpRequest) -> int:
    try:
        return services.check_depth(request.GET.get("depth", DEFAULT_DEPTH))
    except InvalidInput:
        return DEFAULT_DEPTH


def section_context(request: HttpRequest, mistake: Mistake) -> dict[str, Any]:
    ensure_vocabulary()
    depth = _depth(request)
    found = services.implications(mistake, depth)
    entity_url = reverse("understanding:entity", args=["KEY"]).replace("KEY", "{key}")
    flashed = request.session.pop(FLASH, None) if hasattr(request, "session") else None
    # Each form's ids start with its name, so two forms' fields never share an id on the page.
    forms: dict[str, Any] = {
        "problem": AnalysisForm(instance=services.analysis_of(mistake), auto_id="problem-%s"),
        "touch": TouchPointForm(auto_id="touch-%s"),
        "factor": FactorForm(auto_id="factor-%s"),
        "why": WhyForm(auto_id="why-%s"),
        "place": OtherPlaceForm(auto_id="place-%s"),
    }
    if flashed and flashed.get("form") in forms:
        # The form that failed, as it was sent, with each problem at its field.
        name = flashed["form"]
        bound = (
            AnalysisForm(
                flashed["data"], instance=services.analysis_of(mistake), auto_id="problem-%s"
            )
            if name == "problem"
            else type(forms[name])(flashed["data"], auto_id=f"{name}-%s")
        )
        bound.is_valid()
        for field, problems in flashed["errors"].items():
            target = field if field in bound.fields else None
            if field not in bound.errors:
                for problem in problems:
                    bound.add_error(target, problem)
        forms[name] = bound
    private = services.can_see_just_culture(request.user, mistake)
    record = services.just_culture(mistake, reader=request.user) if private else None
    return {
        "analysis": services.analysis_of(mistake),
        "other_places": list(mistake.other_places.select_related("entity")),
        "touch_points": services.touch_points(mistake),
        "implications": found,
        "drawing": graph.draw(found, entity_url),
        "depth": depth,
        "depths": range(1, MAX_DEPTH + 1),
        "factors": services.factors(mistake),
        "whys": services.whys(mistake),
        "moved_on": mistake.has_reached(Stage.UNDERSTOOD),
        "forms": forms,
        "flashed": flashed.get("form") if flashed else "",
        "private": private,
        "may_classify": private and services.is_manager(request.user),
        "just_culture": record,
        "guidance": services.guidance(record) if record else "",
        "all_guidance": services.GUIDANCE.items(),
        "culture_form": JustCultureForm(
            initial={"classification": record.classification, "note": record.note}
            if record
            else None,
            auto_id="culture-%s",
        ),
        "people": services.people_to_involve(mistake),
    }


def _mistake(request: HttpRequest, mistake_id: int) -> Mistake:
    try:
        return reporting.get_mistake(request.user, mistake_id)
    except NotFound as error:
        raise Http404(str(error)) from None


def _back(mistake: Mistake, request: HttpRequest, anchor: str) -> HttpResponse:
    depth = request.POST.get("depth") or request.GET.get("depth")
    query = f"?depth={depth}" if depth and depth.isdigit() else ""
    return redirect(f"{mistake.get_absolute_url()}{query}#{anchor}")


Action = Callable[..., str]
"""One change of the section: (request, mistake, **url arguments) -> the message to show."""


def section_action(form: str, anchor: str) -> Callable[[Action], Callable[..., HttpResponse]]:
    """Make a view of one change of the section; a refusal comes back at the form's fields."""

    def wrap(action: Action) -> Callable[..., HttpResponse]:
        @login_required
        @require_POST
        @wraps(action)
        def view(request: HttpRequest, mistake_id: int, **arguments: Any) -> HttpResponse:
            mistake = _mistake(request, mistake_id)
            try:
                done = action(request, mistake, **arguments)
            except InvalidInput as error:
                request.session[FLASH] = {
                    "form": form,
                    "errors": error.errors,
                    "data": {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"},
                }
                messages.error(request, f"Not saved: {error}")
            except (NotAllowed, NotFound) as error:
                messages.error(request, f"Not saved: {error}.")
            else:
                if done:
                    messages.success(request, done)
            return _back(mistake, request, anchor)

        return view

    return wrap


def _posted(request: HttpRequest, *names: str) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in names}


@section_action("problem", "problem")
def save_problem(request: HttpRequest, mistake: Mistake) -> str:
    changes = _posted(request, *AnalysisForm.Meta.fields)
    services.save_analysis(mistake, changes, actor=request.user)
    return "Problem statement saved."


@section_action("touch", "touch-points")
def add_touch_point(request: HttpRequest, mistake: Mistake) -> str:
    given = _posted(request, "entity", "impact")
    point = services.add_touch_point(mistake, given["entity"], given["impact"], actor=request.user)
    return f"{point.entity.name} is a touch point now."


@section_action("touch", "touch-points")
def remove_touch_point(request: HttpRequest, mistake: Mistake, key: str) -> str:
    services.remove_touch_point(mistake, key, actor=request.user)
    return "Touch point removed."


@section_action("decide", "implications")
def decide(request: HttpRequest, mistake: Mistake) -> str:
    given = _posted(request, "ref", "decision")
    proposal = services.decide(mistake, given["ref"], given["decision"], actor=request.user)
    if proposal.decision == "dismissed":
        return f"Dismissed {proposal.name}: it will not be proposed again."
    if proposal.type == "entity":
        return f"{proposal.name} is a touch point now."
    return f"{proposal.name} is to be involved."


@section_action("factor", "factors")
def add_factor(request: HttpRequest, mistake: Mistake) -> str:
    given = _posted(request, "category", "text")
    services.add_factor(mistake, given["category"], given["text"], actor=request.user)
    return "Contributing factor added."


@section_action("factor", "factors")
def remove_factor(request: HttpRequest, mistake: Mistake, factor_id: int) -> str:
    services.remove_factor(mistake, factor_id, actor=request.user)
    return "Contributing factor removed."


@section_action("why", "whys")
def add_why(request: HttpRequest, mistake: Mistake) -> str:
    services.add_why(mistake, request.POST.get("answer", ""), actor=request.user)
    return ""


@section_action("why", "whys")
def remove_why(request: HttpRequest, mistake: Mistake, position: int) -> str:
    services.remove_why(mistake, position, actor=request.user)
    return "Why removed; the ones after it moved up."


@section_action("place", "elsewhere")
def add_other_place(request: HttpRequest, mistake: Mistake) -> str:
    given = _posted(request, "place", "entity", "note")
    services.add_other_place(mistake, given, actor=request.user)
    return "Recorded where else it could happen."


@section_action("place", "elsewhere")
def remove_other_place(request: HttpRequest, mistake: Mistake, place_id: int) -> str:
    services.remove_other_place(mistake, place_id, actor=request.user)
    return "Removed."


@section_action("culture", "just-culture")
def classify(request: HttpRequest, mistake: Mistake) -> str:
    if request.POST.get("clear"):
        services.unclassify(mistake, actor=request.user)
        return "Just-culture classification cleared."
    services.classify(mistake, _posted(request, "classification", "note"), actor=request.user)
    return "Just-culture classification saved (private)."


# ------------------------------------------------------------------------------ the catalogue


@login_required
def catalog_page(request: HttpRequest) -> HttpResponse:
    ensure_vocabulary()
    query, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    page = Paginator(catalog.search(query, kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "understanding/catalog.html",
        {
            "page": page,
            "q": query,
            "kind": kind,
            "kinds": EntityKind.objects.all(),
            "relation_types": RelationType.objects.all(),
            "can_edit": catalog.can_edit(request.user),
            "kind_form": KindForm(),
            "type_form": RelationTypeForm(),
        },
    )


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    """Entities whose name or key matches, as <option>s for the pickers' datalists."""
    # The pickers send their own field's name: entity, or target on an entity's page.
    query = next((request.GET[k] for k in ("q", "entity", "target") if request.GET.get(k)), "")
    found = catalog.search(query)[:SUGGESTIONS] if query.strip() else []
    return render(request, "understanding/suggestions.html", {"entities": found})


def _entity_or_404(key: str) -> Entity:
    try:
        return catalog.get_entity(key)
    except (NotFound, InvalidInput) as error:
        raise Http404(str(error)) from None


@login_required
def entity_page(request: HttpRequest, key: str) -> HttpResponse:
    entity = _entity_or_404(key)
    outgoing, incoming = catalog.relations_of(entity)
    visible = reporting.visible_mistakes(request.user)
    return render(
        request,
        "understanding/entity.html",
        {
            "entity": entity,
            "outgoing": outgoing,
            "incoming": incoming,
            "touches": entity.touch_points.filter(mistake__in=visible).select_related("mistake"),
            "can_edit": catalog.can_edit(request.user),
            "relation_form": RelationForm(request.POST or None),
        },
    )


@login_required
def entity_form(request: HttpRequest, key: str | None = None) -> HttpResponse:
    entity = _entity_or_404(key) if key else None
    if not catalog.can_edit(request.user):
        messages.error(request, "Only responders, managers and admins may change the catalogue.")
        return redirect(entity or "understanding:catalog")
    initial = catalog.entity_record(entity) if entity else {"kind": request.GET.get("kind")}
    initial["owners"] = " ".join(initial.get("owners") or [])
    form = EntityForm(request.POST or None, initial=initial)
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "") for k in ("name", "kind", "key", "description", "owners")
        }
        try:
            if entity:
                saved = catalog.update_entity(entity, data, actor=request.user)
            else:
                saved = catalog.create_entity(data, actor=request.user)
        except InvalidInput as error:
            form.is_valid()  # the form's own messages first; the service adds what they miss
            with_errors(form, error, keep_form_errors=True)
        else:
            messages.success(request, f"Saved {saved.name}.")
            return redirect(saved)
    return render(request, "understanding/entity_form.html", {"form": form, "entity": entity})


@login_required
@require_POST
def delete_entity(request: HttpRequest, key: str) -> HttpResponse:
    entity = _entity_or_404(key)
    try:
        catalog.delete_entity(entity, actor=request.user)
    except (InvalidInput, NotAllowed) as error:
        messages.error(request, f"Not deleted: {error}")
        return redirect(entity)
    messages.success(request, f"Deleted {entity.name} and its relations.")
    return redirect("understanding:catalog")


@login_required
def add_relation(request: HttpRequest, key: str) -> HttpResponse:
    entity = _entity_or_404(key)
    if request.method != "POST":
        return redirect(entity)
    form = RelationForm(request.POST)
    if form.is_valid():
        try:
            target = catalog.get_entity(form.cleaned_data["target"])
            catalog.relate(entity, form.cleaned_data["type"].name, target, actor=request.user)
        except NotFound as error:
            form.add_error("target", f"{error}.")
        except InvalidInput as error:
            for problems in error.errors.values():
                form.add_error("target", " ".join(problems))
        except NotAllowed as error:
            messages.error(request, f"Not saved: {error}.")
            return redirect(entity)
        else:
            messages.success(request, "Relation added.")
            return redirect(entity)
    outgoing, incoming = catalog.relations_of(entity)
    return render(
        request,
        "understanding/entity.html",
        {
            "entity": entity,
            "outgoing": outgoing,
            "incoming": incoming,
            "touches": [],
            "can_edit": catalog.can_edit(request.user),
            "relation_form": form,
        },
        status=422,
    )


@login_required
@require_POST
def remove_relation(request: HttpRequest, relation_id: int) -> HttpResponse:
    back = request.POST.get("back", "")
    try:
        catalog.unrelate(relation_id, actor=request.user)
    except (NotFound, NotAllowed) as error:
        messages.error(request, f"Not removed: {error}.")
    else:
        messages.success(request, "Relation removed.")
    entity = Entity.objects.filter(key=back).first()
    return redirect(entity or "understanding:catalog")


@login_required
@require_POST
def add_vocabulary(request: HttpRequest, what: str) -> HttpResponse:
    data = {k: request.POST.get(k, "") for k in ("name", "description", "flows")}
    try:
        if what == "kind":
            data.pop("flows")
            created: Any = catalog.create_kind(data, actor=request.user)
        else:
            created = catalog.create_relation_type(data, actor=request.user)
    except (InvalidInput, NotAllowed) as error:
        messages.error(request, f"Not added: {error}")
    else:
        messages.success(request, f"Added {created.name!r}.")
    return redirect("understanding:catalog")


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    out = io.StringIO()
    try:
        transfer.export_catalog(fmt, out)
    except InvalidInput as error:
        raise Http404(str(error)) from None
    content_type = "text/csv" if fmt == "csv" else "application/yaml"
    response = HttpResponse(out.getvalue(), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="catalogue.{fmt}"'
    return response
