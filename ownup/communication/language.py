"""The blame-language check: phrasing that puts a mistake on a person, with neutral wording.

A warning, never a block: people write what they choose, and the check says what reads as blame.
The phrases are data the organisation edits (``BlameTerm``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from ownup.communication.models import BlameTerm
from ownup.reporting.models import Mistake

EXCERPT_RADIUS = 40


@dataclass(frozen=True)
class Finding:
    field: str
    phrase: str
    found: str
    excerpt: str
    suggestion: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def check_text(text: str, field: str = "text") -> list[Finding]:
    """Every blaming phrase in ``text`` in reading order; of overlapping ones, the longest."""
    matches = sorted(
        (
            (match.start(), -len(match.group(0)), match, term)
            for term in BlameTerm.objects.all()
            for match in _pattern(term.phrase).finditer(text)
        ),
        key=lambda found: found[:2],
    )
    findings = []
    covered_until = 0
    for start, _, match, term in matches:
        if start < covered_until:
            continue
        covered_until = match.end()
        findings.append(
            Finding(
                field,
                term.phrase,
                match.group(0),
                _excerpt(text, start, match.end()),
                term.suggestion,
            )
        )
    return findings


def _excerpt(text: str, start: int, end: int) -> str:
    before, after = max(start - EXCERPT_RADIUS, 0), min(end + EXCERPT_RADIUS, len(text))
    excerpt = " ".join(text[before:after].split())
    return ("…" if before else "") + excerpt + ("…" if after < len(text) else "")


def check_mistake(mistake: Mistake) -> list[Finding]:
    """The report's own words: its title and what happened."""
    return check_text(mistake.title, "title") + check_text(mistake.description, "description")
