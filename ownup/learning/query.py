"""Turning what a person typed into a query the full-text engines accept, whatever they typed.

Unbalanced quotes, FTS5 operators, brackets and stray symbols never reach the engine: the words
are taken out of the text and rebuilt into a query of our own making, with web-search habits kept
("a phrase", ``or`` between words, ``-word`` to leave out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 500
MAX_TERMS = 24
PHRASE = re.compile(r'(-?)"([^"]*)"')
# A minus leaves a word out only at the start of a word ("-draft"), not inside one ("e-mail").
WORD = re.compile(r"(?<!\S)-(\w+)|(\w+)")

# Words too common to tell one mistake from another; left out when looking for similar ones.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


@dataclass(frozen=True)
class Query:
    """Groups of alternatives that must all match, and terms that must not."""

    groups: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    terms: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, term: str) -> Query:
        """A query for one term alone."""
        return cls(groups=((term,),), terms=(term,))

    def __bool__(self) -> bool:
        return bool(self.groups)

    def fts5(self) -> str:
        """The FTS5 MATCH expression: every term quoted, so none can be read as an operator."""
        required = " AND ".join(
            "(" + " OR ".join(_quoted(t) for t in group) + ")" for group in self.groups
        )
        return required + "".join(f" NOT {_quoted(t)}" for t in self.excluded)

    def websearch(self) -> str:
        """The same query in ``websearch_to_tsquery`` syntax (PostgreSQL)."""
        required = " ".join(" or ".join(_quoted(t) for t in group) for group in self.groups)
        return required + "".join(f" -{_quoted(t)}" for t in self.excluded)


def _quoted(term: str) -> str:
    return f'"{term}"'


def parse(text: str) -> Query:
    """What the person asked for: all of the words, with phrases, ``or`` and ``-left out``."""
    text = (text or "")[:MAX_QUERY_CHARS]
    tokens: list[tuple[bool, str]] = []  # (excluded, term) in the order typed
    position = 0
    for phrase in PHRASE.finditer(text):
        tokens += _words(text[position : phrase.start()])
        words = " ".join(WORD_ONLY.findall(phrase.group(2)))
        if words:
            tokens.append((phrase.group(1) == "-", words))
        position = phrase.end()
    tokens += _words(text[position:])

    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    for is_excluded, term in tokens[: MAX_TERMS * 2]:
        if term.lower() == "or" and not is_excluded:
            join_next = bool(groups)
            continue
        if is_excluded:
            excluded.append(term)
        elif join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    groups = groups[:MAX_TERMS]
    return Query(
        groups=tuple(tuple(g) for g in groups),
        excluded=tuple(excluded[:MAX_TERMS]),
        terms=tuple(t for g in groups for t in g),
    )


WORD_ONLY = re.compile(r"\w+")


def _words(text: str) -> list[tuple[bool, str]]:
    return [(bool(left_out), left_out or word) for left_out, word in WORD.findall(text)]


def any_of(text: str, max_terms: int = 12) -> Query:
    """A query matching any of the telling words of a text, for finding similar mistakes."""
    seen: dict[str, None] = {}
    for word in WORD_ONLY.findall((text or "")[: MAX_QUERY_CHARS * 4]):
        lowered = word.lower()
        if lowered in STOP_WORDS or len(lowered) < 3 or lowered.isdigit():
            continue
        seen.setdefault(lowered, None)
        if len(seen) >= max_terms:
            break
    terms = tuple(seen)
    return Query(groups=(terms,) if terms else (), terms=terms)
