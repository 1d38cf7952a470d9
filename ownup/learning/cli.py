"""CLI commands of the library: search, similar mistakes, and rebuilding the index."""

from __future__ import annotations

import re

import typer
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from ownup.cli import acting_user, console, fail, print_json
from ownup.learning import index, services
from ownup.reporting.models import Mistake
from ownup.reporting.services import get_mistake


def search(
    words: str = typer.Argument("", help='What to find: words, "a phrase", a or b, -leave-out.'),
    limit: int = typer.Option(20, min=1, max=services.MAX_RESULTS, help="How many, best first."),
    reindex: bool = typer.Option(False, "--reindex", help="Rebuild the search index first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Search the mistakes you can see, best match first."""
    if reindex:
        total = Mistake.objects.count()
        with Progress(console=console, transient=True) as progress:
            bar = progress.add_task("Indexing mistakes", total=total)
            written = index.reindex_all(lambda n: progress.advance(bar, n))
        if not as_json:
            console.print(f"Indexed {written} mistake{'s' if written != 1 else ''}.")
        if not words:
            if as_json:
                print_json({"indexed": written})
            return
    if not words:
        fail('say what to search for, for example: ownup search "invoice prices"')
    hits = services.search(acting_user(), words, limit=limit)
    if as_json:
        print_json([services.hit_record(hit) for hit in hits])
        return
    if not hits:
        console.print(f"Nothing found for {words!r}.", highlight=False)
        return
    table = Table("#", "mistake", "stage", "where it matched", box=None)
    for hit in hits:
        table.add_row(
            str(hit.mistake.pk),
            _terminal(hit.title),
            hit.mistake.get_stage_display(),
            _terminal(hit.snippet),
        )
    console.print(table)


def similar(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    limit: int = typer.Option(5, min=1, max=services.MAX_RESULTS, help="How many, closest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Mistakes like this one, and what contained and fixed them."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    hits = services.similar_to_mistake(user, mistake, limit=limit)
    if as_json:
        print_json([services.hit_record(hit) for hit in hits])
        return
    if not hits:
        console.print(f"Nothing like #{mistake.pk} in the library yet.")
        return
    for hit in hits:
        console.print(
            Text.assemble(
                (f"#{hit.mistake.pk} ", "bold"),
                _terminal(hit.title),
                (f"  {hit.mistake.get_stage_display()}", "dim"),
            )
        )
        for label, text in hit.outcomes:
            console.print(Text.assemble("  ", (f"{label}: ", "bold"), text))


def _terminal(html: str) -> Text:
    """The highlighted HTML as text for the terminal: marked words in bold yellow."""
    from html import unescape

    text = Text()
    for place, piece in enumerate(re.split("</?mark>", html)):  # odd places were marked
        text.append(unescape(piece), style="bold yellow" if place % 2 else None)
    return text


def register(app: typer.Typer) -> None:
    app.command("search", rich_help_panel="Learning")(search)
    app.command("similar", rich_help_panel="Learning")(similar)
