"""Containment's part of the postmortem: the quick fixes, their risks and undoing, and what was
done for the customers at once.

The support offered to the person who made the mistake stays out: it is private to them and
their managers, and a postmortem travels further.
"""

from __future__ import annotations

from ownup.postmortem import PostmortemPart
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import AnyUser


def part(mistake: Mistake, viewer: AnyUser) -> PostmortemPart | None:
    actions = list(mistake.containment_actions.all())
    care = list(mistake.customer_care.all())
    if not actions and not care:
        return None
    context = {"mistake": mistake, "actions": actions, "care": care}
    return PostmortemPart.rendered(
        "Containment", Stage.CONTAINED, "containment/postmortem/part", context
    )
