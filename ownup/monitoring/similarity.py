"""When is a new report "the same mistake again"? The seam a recurrence watch asks.

The rule here is simple and exact so it can be explained to anyone: a new report is similar when
it carries every tag of the watched mistake, or when the Jaccard similarity of the two texts'
word sets (title and description, lower case, words of three letters or more, common words left
out) reaches the threshold. The learning library may replace it with full-text or semantic
similarity by calling :func:`use` with a finder of the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ownup.reporting.models import Confidentiality, Mistake

DEFAULT_THRESHOLD = 0.3

COMMON_WORDS = frozenset(
    {
        "the", "and", "for", "with", "was", "were", "are", "this", "that", "from", "into",
        "onto", "our", "their", "they", "them", "have", "has", "had", "not", "but", "all", "any",
        "its", "it's", "when", "then", "than", "there", "here", "which", "who", "what", "why",
        "how", "one", "two", "out", "off", "over", "under", "again", "same", "did", "does",
        "done", "been", "being", "very", "just", "also", "only",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Match:
    mistake: Mistake
    score: float
    why: str


Finder = Callable[[Mistake, datetime, float], list[Match]]


def words(text: str) -> frozenset[str]:
    return frozenset(
        w for w in re.findall(r"[a-z0-9][a-z0-9'-]{2,}", text.lower()) if w not in COMMON_WORDS
    )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def text_of(mistake: Mistake) -> str:
    return f"{mistake.title} {mistake.description}"


def tags_and_words(watched: Mistake, since: datetime, threshold: float) -> list[Match]:
    """New reports since ``since`` that share all the watched mistake's tags or enough words.

    Only open and anonymous reports are considered: naming a confidential report on another
    mistake's page would tell its readers that the report exists.
    """
    watched_tags = set(watched.tags.values_list("name", flat=True))
    watched_words = words(text_of(watched))
    candidates = (
        Mistake.objects.filter(
            reported_at__gte=since,
            confidentiality__in=[Confidentiality.OPEN, Confidentiality.ANONYMOUS],
        )
        .exclude(pk=watched.pk)
        .prefetch_related("tags")
        .order_by("reported_at", "pk")
    )
    found = []
    for candidate in candidates:
        tags = {t.name for t in candidate.tags.all()}
        score = jaccard(watched_words, words(text_of(candidate)))
        if watched_tags and watched_tags <= tags:
            found.append(Match(candidate, max(score, 1.0), "same tags: " + ", ".join(sorted(tags))))
        elif score >= threshold:
            found.append(Match(candidate, score, f"text similarity {score:.2f}"))
    return found


_finder: Finder = tags_and_words


def use(finder: Finder) -> None:
    """Replace how similar reports are found (the learning library's full-text or semantic one)."""
    global _finder
    _finder = finder


def similar_reports(watched: Mistake, since: datetime, threshold: float) -> list[Match]:
    return _finder(watched, since, threshold)
