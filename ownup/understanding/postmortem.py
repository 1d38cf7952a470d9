"""Understanding's part of the postmortem: the problem statement, what the mistake touched and
who it involved, where else it could happen, the contributing factors and the five whys.

The just-culture classification stays out: it is private to the managers and the reporter.
"""

from __future__ import annotations

from itertools import groupby

from ownup.postmortem import PostmortemPart
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import AnyUser
from ownup.understanding import services
from ownup.understanding.models import Analysis

PROBLEM_STATEMENT = [
    ("What", "what"),
    ("Where", "where"),
    ("When", "when"),
    ("How much", "how_much"),
    ("What it is not", "is_not"),
    ("Why it happened", "why_it_happened"),
    ("Why nobody caught it", "why_not_caught"),
    ("Escape point", "escape_point"),
]


def part(mistake: Mistake, viewer: AnyUser) -> PostmortemPart | None:
    analysis = Analysis.objects.filter(mistake=mistake).first()
    problem = [
        (label, text)
        for label, field in PROBLEM_STATEMENT
        if analysis and (text := getattr(analysis, field).strip())
    ]
    by_category = groupby(services.factors(mistake), lambda factor: factor.category)
    context = {
        "problem": problem,
        "touch_points": services.touch_points(mistake),
        "people": services.people_to_involve(mistake),
        "other_places": list(mistake.other_places.select_related("entity")),
        "factors": [(category, list(rows)) for category, rows in by_category],
        "whys": services.whys(mistake),
    }
    if not any(context.values()):
        return None
    return PostmortemPart.rendered(
        "Understanding: the whole picture",
        Stage.UNDERSTOOD,
        "understanding/postmortem/part",
        context,
    )
