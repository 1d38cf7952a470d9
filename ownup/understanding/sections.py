"""The Understood part of a mistake's page."""

from __future__ import annotations

from ownup.reporting.models import Stage
from ownup.reporting.sections import Section, register
from ownup.understanding.views import section_context

register(
    Section(
        key="understanding",
        title="Understanding: the whole picture",
        stage=Stage.UNDERSTOOD,
        template="understanding/section.html",
        context=section_context,
    )
)
