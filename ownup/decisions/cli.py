"""CLI commands for options and decisions: thin adapters over the decision services."""

from __future__ import annotations

import typer
from django.utils import timezone
from rich.table import Table

from ownup.cli import acting_user, console, fail, markup, print_json
from ownup.decisions import services
from ownup.decisions.records import (
    criterion_record,
    decision_record,
    decisions_record,
    options_record,
    ranked_record,
)
from ownup.reporting.services import get_mistake

options_app = typer.Typer(help="The options for a mistake's real fix: list, add, score.")
criteria_app = typer.Typer(help="The criteria options are scored on, and their weights.")

SCORE_HELP = "A score as criterion=N (1 to 5), for example risk=2; repeat for more."


def parse_scores(pairs: list[str]) -> dict[str, str]:
    scores: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            fail(f"{pair!r} is not a score such as risk=2")
        scores[key.strip()] = value.strip()
    return scores


def _ranking_table(mistake_id: int) -> None:
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    ranked = services.ranking(mistake)
    rows = [ranked_record(row) for row in ranked]
    keys = [c.key for c in services.criteria()]
    table = Table("rank", "#", "option", "strength", "total", "scores (1-5)", box=None)
    for row in rows:
        total = "—" if row["total"] is None else f"{row['total']:.0f}"
        scores = " ".join(f"{k}={row['scores'].get(k, '·')}" for k in keys)
        table.add_row(
            str(row["rank"]),
            str(row["id"]),
            row["title"],
            row["strength"],
            total,
            scores,
        )
    console.print(table if rows else f"No options for #{mistake.pk} yet.")
    if rows:
        console.print(
            "total: 0-100, highest best; effort, risk, time, cost: 1 is little (best)",
            style="dim",
        )
    if stronger := services.stronger_options(ranked, services.current_decision(mistake)):
        which = "the chosen option" if stronger.chosen else "the first-ranked"
        names = ", ".join(f"#{o.pk} {o.title} ({o.strength_word})" for o in stronger.options)
        console.print(f"stronger than {which} ({stronger.than.strength_word}): {names}")


@options_app.command("list")
def list_options(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List a mistake's options, ranked (total 0-100, highest best)."""
    if as_json:
        print_json(options_record(get_mistake(acting_user(), mistake_id)))
        return
    _ranking_table(mistake_id)


@options_app.command("add")
def add_option(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    title: str = typer.Argument(..., help="The option in a few words."),
    strength: str = typer.Option(
        ..., "--strength", help="strong (forcing function), medium (checklist) or weak (training)."
    ),
    description: str = typer.Option("", "--what", help="The option in more words."),
    score: list[str] = typer.Option([], "--score", "-s", help=SCORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the option as JSON."),
) -> None:
    """Add an option for the real fix, optionally scored at once."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    option = services.add_option(
        mistake,
        actor=user,
        title=title,
        strength=strength,
        description=description,
        scores=parse_scores(score),
    )
    if as_json:
        print_json(next(r for r in options_record(mistake) if r["id"] == option.pk))
        return
    console.print(f"Added option #{option.pk} to #{mistake.pk}: {option.title}", highlight=False)


@options_app.command("score")
def score_option(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    option_id: int = typer.Argument(..., help="The option's number."),
    scores: list[str] = typer.Argument(..., help="Scores as criterion=N (1 to 5): risk=2 cost=4"),
) -> None:
    """Score an option on some criteria (1 to 5; for effort, risk, time, cost 1 is little)."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    option = services.get_option(mistake, option_id)
    services.score(option, parse_scores(scores), actor=user)
    _ranking_table(mistake_id)


@criteria_app.command("list")
def list_criteria(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the criteria, their weights and which way is better."""
    records = [criterion_record(c) for c in services.criteria()]
    if as_json:
        print_json(records)
        return
    table = Table("key", "criterion", "weight", "better", box=None)
    for c in records:
        table.add_row(
            c["key"],
            c["name"],
            str(c["weight"]),
            "lower" if c["lower_is_better"] else "higher",
        )
    console.print(table)


# Unknown options pass through as arguments, so a negative weight reaches the rule that refuses
# it with a clear message instead of "no such option".
@criteria_app.command("weight", context_settings={"ignore_unknown_options": True})
def set_weight(
    key: str = typer.Argument(..., help="The criterion's key, for example risk."),
    weight: int = typer.Argument(..., help="0 to 100; 0 leaves it out of the ranking."),
) -> None:
    """Change how much a criterion counts in every ranking (admins)."""
    criterion = services.set_weight(key, weight, actor=acting_user())
    console.print(f"{criterion.name} now weighs {criterion.weight}.")


def decide(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    option_id: int = typer.Argument(
        ..., help="The chosen option's number (see 'ownup options list')."
    ),
    why: str = typer.Option(..., "--why", help="Why this option."),
    as_json: bool = typer.Option(False, "--json", help="Print the decision as JSON."),
) -> None:
    """Choose the option for the real fix, with why (choosing again revisits the decision)."""
    user = acting_user()
    mistake = get_mistake(user, mistake_id)
    decision = services.decide(mistake, actor=user, option_id=option_id, rationale=why)
    if as_json:
        print_json(decision_record(decision))
        return
    console.print(f"Chose {decision.option.title} for #{mistake.pk}.", highlight=False)
    if warning := services.strength_warning(mistake):
        console.print(markup("[yellow]Warning:[/] {}", warning), highlight=False)


def show_decision(
    mistake_id: int = typer.Argument(..., help="The mistake's number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show the chosen option and every earlier choice."""
    record = decisions_record(get_mistake(acting_user(), mistake_id))
    if as_json:
        print_json(record)
        return
    if record["current"] is None:
        console.print(f"No option chosen for #{mistake_id} yet: see 'ownup options list'.")
        return
    for d in record["history"]:
        when = timezone.localtime(d["decided_at"]).strftime("%Y-%m-%d %H:%M")
        console.print(
            f"{when} {d['decided_by'] or '—'} chose {d['option']}: {d['rationale']}",
            highlight=False,
        )
    if record["warning"]:
        console.print(markup("[yellow]Warning:[/] {}", record["warning"]), highlight=False)


PANEL = "Stage 4: weigh the options, decide"


def register(app: typer.Typer) -> None:
    app.add_typer(options_app, name="options", rich_help_panel=PANEL)
    app.command("decide", rich_help_panel=PANEL)(decide)
    app.command("decision", rich_help_panel=PANEL)(show_decision)
    app.add_typer(criteria_app, name="criteria", rich_help_panel=PANEL)
