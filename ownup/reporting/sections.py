"""The seam through which each stage's app adds its part to a mistake's page.

An app registers a :class:`Section` in its ``sections`` module, which the first mistake page
imports (a command, which shows no page, loads none of the pages' code); the page shows the
sections in the order of the stages, each rendered from the app's own template and context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.http import HttpRequest

from ownup.reporting.models import Mistake, Stage
from ownup.seams import app_modules

SectionContext = Callable[[HttpRequest, Mistake], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    stage: Stage
    template: str
    context: SectionContext = field(default=lambda request, mistake: {})


_sections: dict[str, Section] = {}


def register(section: Section) -> Section:
    _sections[section.key] = section
    return section


@dataclass(frozen=True)
class ShownSection:
    section: Section
    context: dict[str, Any]


def sections_for(request: HttpRequest, mistake: Mistake) -> list[ShownSection]:
    _import_apps_sections()
    ordered = sorted(_sections.values(), key=lambda s: s.stage.order)
    return [ShownSection(s, s.context(request, mistake)) for s in ordered]


@cache
def _import_apps_sections() -> None:
    app_modules("sections")  # each registers its sections as it is imported
