"""Reporting's part of the postmortem: the facts of the report, and the timeline at the end."""

from __future__ import annotations

from ownup.postmortem import PostmortemPart
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import AnyUser, disclosure


def part(mistake: Mistake, viewer: AnyUser) -> list[PostmortemPart]:
    context = {
        "mistake": mistake,
        "disclosure": disclosure(mistake),
        "timeline": mistake.timeline.select_related("actor"),
    }
    return [
        PostmortemPart.rendered(
            "What happened", Stage.REPORTED, "reporting/postmortem/facts", context
        ),
        PostmortemPart.rendered("Timeline", None, "reporting/postmortem/timeline", context),
    ]
