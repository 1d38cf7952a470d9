"""The Decided part of a mistake's page."""

from __future__ import annotations

from ownup.decisions.views import section_context
from ownup.reporting.models import Stage
from ownup.reporting.sections import Section, register

register(
    Section(
        key="decision",
        title="Decision: evaluate the options",
        stage=Stage.DECIDED,
        template="decisions/_section.html",
        context=section_context,
    )
)
