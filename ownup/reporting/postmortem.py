"""Reporting's part of the postmortem: the facts of the report, and the timeline at the end."""

from __future__ import annotations

from django.template.loader import render_to_string

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
        PostmortemPart(
            title="What happened",
            stage=Stage.REPORTED,
            markdown=render_to_string("reporting/postmortem/facts.md", context),
            html=render_to_string("reporting/postmortem/facts.html", context),
        ),
        PostmortemPart(
            title="Timeline",
            stage=None,
            markdown=render_to_string("reporting/postmortem/timeline.md", context),
            html=render_to_string("reporting/postmortem/timeline.html", context),
        ),
    ]
