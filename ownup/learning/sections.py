"""The similar mistakes at the end of a mistake's page."""

from __future__ import annotations

from ownup.learning.views import similar_section
from ownup.reporting.models import Stage
from ownup.reporting.sections import Section, register

register(
    Section(
        key="similar",
        title="Similar mistakes",
        # Last on the page: the story of this mistake comes first, and the report form
        # already showed similar ones while it was being typed.
        stage=Stage.CLOSED,
        template="learning/_similar_section.html",
        context=similar_section,
    )
)
