"""Monitoring's parts of the postmortem: whether the fix held, checked over its window, and how
the mistake closed with what was learned.

A check's configuration (addresses, queries, commands) stays out: it may hold what only the
people running the checks should read.
"""

from __future__ import annotations

from ownup.monitoring import services
from ownup.monitoring.models import Closure
from ownup.postmortem import PostmortemPart
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import AnyUser


def part(mistake: Mistake, viewer: AnyUser) -> list[PostmortemPart]:
    parts: list[PostmortemPart] = []
    evaluation = services.evaluate(mistake)
    if evaluation.verdicts:
        checks = {"evaluation": evaluation}
        parts.append(
            PostmortemPart.rendered(
                "Monitoring: does the fix hold?",
                Stage.MONITORING,
                "monitoring/postmortem/checks",
                checks,
            )
        )
    lesson = services.lesson_of(mistake)
    closure = Closure.objects.filter(mistake=mistake).order_by("-at", "-pk").first()
    if lesson or (closure and mistake.closed_at):
        closed = {
            "lesson": lesson,
            "closure": closure if mistake.closed_at else None,
            "closed_at": mistake.closed_at,
            "thanked": services.and_list(closure.thanked) if closure and closure.thanked else "",
        }
        parts.append(
            PostmortemPart.rendered(
                "What we learned", Stage.CLOSED, "monitoring/postmortem/closed", closed
            )
        )
    return parts
