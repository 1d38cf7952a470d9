"""The real fix's part of the postmortem: the actions, their verification and strength."""

from __future__ import annotations

from ownup.fixes import services
from ownup.postmortem import PostmortemPart
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import AnyUser


def part(mistake: Mistake, viewer: AnyUser) -> PostmortemPart | None:
    actions = list(services.actions_of(mistake))
    if not actions:
        return None
    context = {"actions": actions, "warning": services.strength_warning(mistake)}
    return PostmortemPart.rendered("The real fix", Stage.FIXED, "fixes/postmortem/part", context)
