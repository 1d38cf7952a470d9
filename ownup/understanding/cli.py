"""CLI commands for the catalogue and for understanding a mistake."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ownup.cli import acting_user, console, fail, markup, print_json
from ownup.reporting.services import get_mistake
from ownup.understanding import catalog, services, transfer
from ownup.understanding.walk import DEFAULT_DEPTH, MAX_DEPTH

catalog_app = typer.Typer(
    help="The catalogue: entities, their owners and relations; import and export.",
    no_args_is_help=True,
)

# Files this long get a progress bar; shorter ones finish before a bar would be seen.
PROGRESS_FROM = 2_000


@catalog_app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="A .csv, .yaml or .yml file ('-' reads stdin)."),
    fmt: str = typer.Option("", "--format", help="csv or yaml (default: from the file's name)."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Import entities and relations; checked whole, written in one go, safe to repeat."""
    user = acting_user()
    if not catalog.can_edit(user):
        fail("only responders, managers and admins may change the catalogue")
    name = str(file)
    fmt = transfer.detect_format(
        "" if name == "-" else name, fmt or ("yaml" if name == "-" else "")
    )
    try:
        raw = sys.stdin.buffer.read() if name == "-" else file.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as error:
        fail(f"cannot read {name}: {error.strerror}")
    except UnicodeDecodeError:
        fail(f"{name} is not UTF-8 text")
    total = transfer.count_records(text, fmt)
    if total >= PROGRESS_FROM and not as_json:
        with Progress(
            TextColumn("Importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("import", total=total)
            result = transfer.import_catalog(text, fmt, progress=lambda n: bar.advance(task, n))
    else:
        result = transfer.import_catalog(text, fmt)
    if as_json:
        print_json(
            {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
        return
    console.print(f"Imported {name}: {result.summary()}.", highlight=False)


@catalog_app.command("export")
def export_file(
    fmt: str = typer.Option("yaml", "--format", help="csv or yaml."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not to stdout."),
) -> None:
    """Export the whole catalogue; the file imports back unchanged."""
    acting_user()
    if fmt not in transfer.FORMATS:
        fail(f"--format: choose csv or yaml, not {fmt!r}")
    if output is None:
        transfer.export_catalog(fmt, sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            transfer.export_catalog(fmt, out)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
    console.print(f"Exported the catalogue to {output}.", highlight=False)


@catalog_app.command("list")
def list_entities(
    search: str = typer.Argument("", help="Part of a name or key."),
    kind: str = typer.Option("", help="Only this kind."),
    limit: int = typer.Option(50, min=1, max=100_000),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List entities of the catalogue."""
    acting_user()
    found = list(catalog.search(search, kind)[:limit])
    if as_json:
        print_json([catalog.entity_record(e) for e in found])
        return
    table = Table("key", "name", "kind", "owners", box=None)
    for e in found:
        owners = ", ".join(u.username for u in e.owners.all())
        table.add_row(e.key, e.name, e.kind.name, owners)
    console.print(table if found else "No entities to show.")


@catalog_app.command("show")
def show_entity(
    key: str = typer.Argument(..., help="The entity's key or exact name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show an entity with its owners and relations."""
    acting_user()
    entity = catalog.get_entity(key)
    record = catalog.entity_record(entity, with_relations=True)
    if as_json:
        print_json(record)
        return
    console.print(
        markup("[bold]{}[/] ({}) · {}", entity.name, entity.kind, entity.key), highlight=False
    )
    if entity.description:
        console.print(entity.description, highlight=False)
    console.print("owners: " + (", ".join(record["owners"]) or "nobody yet"))
    for r in record["relations"]:
        console.print(
            markup("  [dim]#{}[/] {} [italic]{}[/] {}", r["id"], r["from"], r["type"], r["to"])
        )


@catalog_app.command("add")
def add_entity(
    name: str = typer.Argument(..., help="The entity's name."),
    kind: str = typer.Option(..., help="customer, system, document... (see 'catalog kinds')."),
    key: str = typer.Option("", help="A short unique key (default: from the name)."),
    description: str = typer.Option("", help="What it is."),
    owner: list[str] = typer.Option([], "--owner", help="A username; repeat for more."),
) -> None:
    """Add an entity to the catalogue."""
    data: dict[str, Any] = {"name": name, "kind": kind, "description": description}
    if key:
        data["key"] = key
    if owner:
        data["owners"] = owner
    entity = catalog.create_entity(data, actor=acting_user())
    console.print(f"Added {entity.name} ({entity.kind}) as {entity.key}.", highlight=False)


@catalog_app.command("relate")
def relate(
    source: str = typer.Argument(..., help="The source entity's key."),
    relation: str = typer.Argument(..., help="The relation type, like 'depends on'."),
    target: str = typer.Argument(..., help="The target entity's key."),
    remove: bool = typer.Option(False, "--remove", help="Remove this relation instead."),
) -> None:
    """Relate two entities: ownup catalog relate billing-run 'depends on' price-list."""
    user = acting_user()
    source_entity, target_entity = catalog.get_entity(source), catalog.get_entity(target)
    if remove:
        found = catalog.find_relation(source_entity, relation, target_entity)
        catalog.unrelate(found.pk, actor=user)
        console.print(f"Removed: {found}.", highlight=False)
        return
    created = catalog.relate(source_entity, relation, target_entity, actor=user)
    console.print(f"Related: {created}.", highlight=False)


@catalog_app.command("kinds")
def kinds(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The kinds of entity, the relation types and the factor categories."""
    acting_user()
    from ownup.understanding.models import EntityKind, RelationType

    if as_json:
        print_json(
            {
                "kinds": [
                    {"name": k.name, "description": k.description} for k in EntityKind.objects.all()
                ],
                "relation_types": [
                    {"name": t.name, "flows": t.flows, "description": t.description}
                    for t in RelationType.objects.all()
                ],
                "factor_categories": [
                    {"name": c.name, "description": c.description} for c in services.categories()
                ],
            }
        )
        return
    console.print(markup("[bold]kinds:[/] {}", ", ".join(k.name for k in EntityKind.objects.all())))
    console.print(markup("[bold]relation types:[/]"))
    for t in RelationType.objects.all():
        console.print(f"  {t.name} (impact flows {t.flows})", highlight=False)
    categories = ", ".join(c.name for c in services.categories())
    console.print(markup("[bold]factor categories:[/] {}", categories))


# ------------------------------------------------------------------------------- a mistake


def _mistake(mistake_id: int) -> Any:
    return get_mistake(acting_user(), mistake_id)


def touch(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    entity: str = typer.Argument("", help="The entity's key or exact name."),
    impact: str = typer.Option("", "--impact", "-i", help="How the mistake affects it."),
    remove: bool = typer.Option(False, "--remove", help="Remove this touch point."),
    as_json: bool = typer.Option(False, "--json", help="Print the touch points as JSON."),
) -> None:
    """Add a touch point (ENTITY with --impact), change its impact, remove it, or list them."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    if entity and remove:
        services.remove_touch_point(mistake, entity, actor=user)
        console.print(f"Removed the touch point {entity} from #{mistake.pk}.", highlight=False)
    elif entity:
        existing = {t.entity.key for t in services.touch_points(mistake)}
        if catalog.get_entity(entity).key in existing and impact:
            services.change_impact(mistake, entity, impact, actor=user)
            console.print("Impact changed.")
        else:
            point = services.add_touch_point(mistake, entity, impact, actor=user)
            console.print(
                f"{point.entity.name} is a touch point of #{mistake.pk}.",
                highlight=False,
            )
    points = services.touch_points(mistake)
    if as_json:
        print_json([services.touch_point_record(t) for t in points])
        return
    if not entity:
        table = Table("entity", "kind", "impact", "owners", box=None)
        for t in points:
            table.add_row(
                t.entity.key,
                t.entity.kind.name,
                t.impact,
                ", ".join(u.username for u in t.entity.owners.all()),
            )
        console.print(table if points else f"#{mistake.pk} has no touch points yet.")


def implications(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    depth: int = typer.Option(
        DEFAULT_DEPTH, "--depth", "-d", help=f"How many relations to follow (1-{MAX_DEPTH})."
    ),
    accept: list[str] = typer.Option(
        [], "--accept", help="Accept a proposal: an entity key or @username. Repeat for more."
    ),
    dismiss: list[str] = typer.Option([], "--dismiss", help="Dismiss a proposal. Repeatable."),
    show_all: bool = typer.Option(False, "--all", help="Also show decided proposals."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Propose what else the mistake affects and who to involve; accept or dismiss them."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    depth = services.check_depth(depth)
    for ref in accept:
        decided = services.decide(mistake, ref, "accepted", actor=user)
        console.print(f"Accepted {decided.name}.", highlight=False)
    for ref in dismiss:
        decided = services.decide(mistake, ref, "dismissed", actor=user)
        console.print(f"Dismissed {decided.name}.", highlight=False)
    if (accept or dismiss) and not as_json:
        return
    found = services.implications(mistake, depth)
    if as_json:
        print_json(
            {
                "depth": found.depth,
                "truncated": found.truncated,
                "proposals": [services.proposal_record(p) for p in found.proposals],
            }
        )
        return
    shown = found.proposals if show_all else found.open
    if not found.starts:
        console.print(f"#{mistake.pk} has no touch points: add one with 'ownup touch'.")
        return
    table = Table("ref", "proposal", "steps", "path", *(["decision"] if show_all else []), box=None)
    for p in shown:
        row = [p.ref, f"{p.name} ({p.kind})", str(p.distance), p.path_text]
        table.add_row(*row, *([p.decision or "open"] if show_all else []))
    if shown:
        console.print(table)
        console.print(f"Accept or dismiss with: ownup implications {mistake.pk} --accept REF")
    else:
        console.print(f"Nothing open to decide within {depth} steps.")
    if found.truncated:
        console.print(markup("[yellow]The walk stopped at its limit; try a smaller --depth.[/]"))


def factor(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    category: str = typer.Argument("", help="people, process, tools, environment, ..."),
    text: str = typer.Argument("", help="What contributed."),
    remove: int = typer.Option(0, "--remove", help="Remove the factor with this id."),
    as_json: bool = typer.Option(False, "--json", help="Print the factors as JSON."),
) -> None:
    """Add a contributing factor (CATEGORY TEXT), remove one, or list them."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    if remove:
        services.remove_factor(mistake, remove, actor=user)
        console.print(f"Removed factor #{remove}.")
    elif category:
        added = services.add_factor(mistake, category, text, actor=user)
        console.print(f"Added factor #{added.pk} ({added.category}).", highlight=False)
    found = services.factors(mistake)
    if as_json:
        print_json([services.factor_record(f) for f in found])
    elif not category and not remove:
        for f in found:
            console.print(markup("  #{} [bold]{}[/] {}", f.pk, f.category, f.text), highlight=False)
        if not found:
            console.print(f"#{mistake.pk} has no contributing factors yet.")


def why(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    answer: str = typer.Argument("", help="The answer to the next 'why?'."),
    remove: int = typer.Option(0, "--remove", help="Remove the why at this position."),
    as_json: bool = typer.Option(False, "--json", help="Print the chain as JSON."),
) -> None:
    """Add the next answer of the five-whys chain, remove one, or show the chain."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    if remove:
        services.remove_why(mistake, remove, actor=user)
    elif answer:
        services.add_why(mistake, answer, actor=user)
    chain = services.whys(mistake)
    if as_json:
        print_json([{"position": w.position, "answer": w.answer} for w in chain])
        return
    for w in chain:
        console.print(f"  {w.position}. Why? {w.answer}", highlight=False)
    if not chain:
        console.print(f"#{mistake.pk} has no whys yet.")


def problem(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    what: str | None = typer.Option(None, help="What went wrong."),
    where: str | None = typer.Option(None, help="Where."),
    when: str | None = typer.Option(None, help="When."),
    how_much: str | None = typer.Option(None, "--how-much", help="How much, how many."),
    is_not: str | None = typer.Option(None, "--is-not", help="What it is not."),
    why_it_happened: str | None = typer.Option(None, "--why", help="Why it happened."),
    why_not_caught: str | None = typer.Option(
        None, "--why-not-caught", help="Why nobody caught it earlier."
    ),
    escape_point: str | None = typer.Option(
        None, "--escape-point", help="Where it should have been caught."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Write the problem statement and the two causes; options left out stay as they are."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    given = {
        "what": what,
        "where": where,
        "when": when,
        "how_much": how_much,
        "is_not": is_not,
        "why_it_happened": why_it_happened,
        "why_not_caught": why_not_caught,
        "escape_point": escape_point,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    if changes:
        services.save_analysis(mistake, changes, actor=user)
    current = services.analysis_of(mistake)
    values = {k: getattr(current, k) for k in given}
    if as_json:
        print_json(values)
        return
    for k, v in values.items():
        console.print(markup("[bold]{}:[/] {}", k.replace("_", " "), v or "—"), highlight=False)


def understanding(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Everything understood about a mistake (never the private just-culture record)."""
    mistake = _mistake(mistake_id)
    record = services.understanding_record(mistake)
    if as_json:
        print_json(record)
        return
    console.print(markup("[bold]#{} {}[/]", mistake.pk, mistake.title), highlight=False)
    for k, v in record["problem"].items():
        if v:
            console.print(markup("[bold]{}:[/] {}", k.replace("_", " "), v), highlight=False)
    console.print(markup("[bold]Touch points[/]"))
    for t in record["touch_points"]:
        console.print(f"  {t['name']} ({t['kind']}): {t['impact']}", highlight=False)
    console.print(markup("[bold]Contributing factors[/]"))
    for f in record["contributing_factors"]:
        console.print(f"  {f['category']}: {f['text']}", highlight=False)
    console.print(markup("[bold]Five whys[/]"))
    for w in record["whys"]:
        console.print(f"  {w['position']}. {w['answer']}", highlight=False)
    if record["people_to_involve"]:
        people = ", ".join(record["people_to_involve"])
        console.print(markup("[bold]People to involve:[/] {}", people))


PANEL = "Stage 3: understand the whole picture"


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog", rich_help_panel=PANEL)
    app.command("touch", rich_help_panel=PANEL)(touch)
    app.command("implications", rich_help_panel=PANEL)(implications)
    app.command("factor", rich_help_panel=PANEL)(factor)
    app.command("why", rich_help_panel=PANEL)(why)
    app.command("problem", rich_help_panel=PANEL)(problem)
    app.command("understanding", rich_help_panel=PANEL)(understanding)
