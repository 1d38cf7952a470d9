"""A check's history as a small server-side SVG chart: one bar per run, coloured by outcome,
as tall as the run was long, so both failures and slow runs stand out."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ownup.monitoring.models import CheckRun, Outcome

COLOURS = {
    Outcome.PASSED: "#12b76a",
    Outcome.FAILED: "#d92d20",
    Outcome.WAITING: "#98a2b3",
    Outcome.RUNNING: "#98a2b3",
}
BAR, GAP, HEIGHT = 6, 2, 28


def sparkline(runs: Sequence[CheckRun], label: str) -> SafeString:
    if not runs:
        return mark_safe('<span class="muted small">No runs yet.</span>')
    longest = max((r.duration_ms or 0) for r in runs) or 1
    bars = []
    for index, run in enumerate(runs):
        share = (run.duration_ms or 0) / longest
        height = max(6.0, HEIGHT * (0.35 + 0.65 * share))
        title = f"{run.slot:%Y-%m-%d %H:%M:%S} · {run.get_outcome_display()}"
        if run.duration_ms is not None:
            title += f" · {run.duration_ms} ms"
        if run.detail:
            title += f" · {run.detail[:120]}"
        bars.append(
            f'<rect x="{index * (BAR + GAP)}" y="{HEIGHT - height:.1f}" width="{BAR}" '
            f'height="{height:.1f}" rx="1" fill="{COLOURS.get(Outcome(run.outcome), "#98a2b3")}">'
            f"<title>{escape(title)}</title></rect>"
        )
    width = len(runs) * (BAR + GAP)
    failed = sum(1 for r in runs if r.outcome == Outcome.FAILED)
    summary = f"{label}: the last {len(runs)} runs, {failed} failed"
    return mark_safe(
        # Narrowed to its box on a small screen, the bars keep their height.
        f'<svg class="spark" role="img" aria-label="{escape(summary)}" width="{width}" '
        f'height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" preserveAspectRatio="none">'
        f"{''.join(bars)}</svg>"
    )
