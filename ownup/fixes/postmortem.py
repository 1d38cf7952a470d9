"""The real fix's part of the postmortem: the actions, their verification and strength."""

from __future__ import annotations

from django.template.loader import render_to_string

from ownup.fixes import services
from ownup.postmortem import PostmortemPart
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import AnyUser


def part(mistake: Mistake, viewer: AnyUser) -> PostmortemPart | None:
    actions = list(services.actions_of(mistake))
    if not actions:
        return None
    context = {"actions": actions, "warning": services.strength_warning(mistake)}
    return PostmortemPart(
        title="The real fix",
        stage=Stage.FIXED,
        markdown=render_to_string("fixes/postmortem/part.md", context),
        html=render_to_string("fixes/postmortem/part.html", context),
    )
