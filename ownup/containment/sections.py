"""The Contained part of a mistake's page."""

from __future__ import annotations

from ownup.containment.views import section_context
from ownup.reporting.models import Stage
from ownup.reporting.sections import Section, register

register(
    Section(
        key="containment",
        title="Containment: quick fix, do no harm",
        stage=Stage.CONTAINED,
        template="containment/_section.html",
        context=section_context,
    )
)
