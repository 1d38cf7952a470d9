"""The postmortem: a mistake's whole story as one document, in Markdown, HTML or PDF.

Each app tells its own part. An app joins by having a ``postmortem`` module with

    def part(mistake: Mistake, viewer: User) -> PostmortemPart | list[PostmortemPart] | None

rendered from the app's own templates. The exporter gathers the parts of the apps present and
puts them in the order of the stages. A part shows only what ``viewer`` may see, and never a
just-culture record: those stay behind their wall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from ownup.organisation.models import Organisation
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import AnyUser, InvalidInput
from ownup.seams import app_modules

FORMATS = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
}


@dataclass(frozen=True)
class PostmortemPart:
    """One app's chapter of the story, in both markups."""

    title: str
    markdown: str
    html: str
    stage: Stage | None = None
    """Where the part goes, in the order of the stages; None puts it after them (an appendix)."""
    position: int = 0
    """The order of parts within one stage."""

    @classmethod
    def rendered(
        cls, title: str, stage: Stage | None, template: str, context: dict[str, Any]
    ) -> PostmortemPart:
        """A part from one pair of templates: ``template`` + ``.md`` and + ``.html``."""
        return cls(
            title=title,
            stage=stage,
            markdown=render_to_string(f"{template}.md", context),
            html=render_to_string(f"{template}.html", context),
        )

    @property
    def order(self) -> tuple[int, int]:
        return (self.stage.order if self.stage else len(Stage), self.position)


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str
    filename: str


def parts(mistake: Mistake, viewer: AnyUser) -> list[PostmortemPart]:
    gathered: list[PostmortemPart] = []
    for module in app_modules("postmortem"):
        found = module.part(mistake, viewer)
        if isinstance(found, PostmortemPart):
            gathered.append(found)
        elif found:
            gathered.extend(found)
    return sorted(gathered, key=lambda p: p.order)


def _context(mistake: Mistake, viewer: AnyUser) -> dict[str, Any]:
    return {
        "mistake": mistake,
        "organisation": Organisation.current(),
        "parts": parts(mistake, viewer),
        "generated_at": timezone.now(),
        "url": settings.BASE_URL + mistake.get_absolute_url(),
    }


def markdown(mistake: Mistake, viewer: AnyUser) -> str:
    text = render_to_string("postmortem/document.md", _context(mistake, viewer))
    # Each part ends as its template does; one blank line between blocks reads best.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def html(mistake: Mistake, viewer: AnyUser) -> str:
    return render_to_string("postmortem/document.html", _context(mistake, viewer))


def pdf(mistake: Mistake, viewer: AnyUser) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html(mistake, viewer), base_url=settings.BASE_URL).write_pdf())


def export(mistake: Mistake, viewer: AnyUser, fmt: str) -> Document:
    """The postmortem of a mistake the viewer can see (the caller found it with get_mistake)."""
    if fmt not in FORMATS:
        raise InvalidInput(
            {"format": [f"There is no format {fmt!r}; choose one of {', '.join(FORMATS)}."]}
        )
    content_type, extension = FORMATS[fmt]
    if fmt == "pdf":
        content = pdf(mistake, viewer)
    else:
        content = (markdown if fmt == "md" else html)(mistake, viewer).encode()
    return Document(content, content_type, f"postmortem-{mistake.pk}.{extension}")
