"""Deciding's part of the postmortem: the options weighed, their scores, and the choice with why."""

from __future__ import annotations

from ownup.decisions import services
from ownup.postmortem import PostmortemPart
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import AnyUser


def part(mistake: Mistake, viewer: AnyUser) -> PostmortemPart | None:
    ranking = services.ranking(mistake)
    decisions = list(services.history(mistake))
    if not ranking and not decisions:
        return None
    context = {
        "ranking": ranking,
        "criteria": [cell.criterion for cell in ranking[0].cells] if ranking else [],
        "chosen": decisions[-1] if decisions else None,
        "earlier": decisions[:-1],
        "warning": services.strength_warning(mistake),
    }
    return PostmortemPart.rendered(
        "Decision: the options weighed", Stage.DECIDED, "decisions/postmortem/part", context
    )
