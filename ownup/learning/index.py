"""The full-text index: keeping each mistake's search document in step, and asking the engine.

Both engines read the same ``SearchDocument`` rows (see the migration): SQLite through FTS5 with
bm25 ranking, ``highlight`` and ``snippet``; PostgreSQL through a weighted ``tsvector`` with
``websearch_to_tsquery``, ``ts_rank`` and ``ts_headline``. Everything else in the library goes
through :func:`matches` and :func:`highlights` and never sees which engine answered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ownup.learning.models import SearchDocument
from ownup.learning.query import Query
from ownup.learning.sources import active_sources
from ownup.reporting.models import Mistake

# Private-use characters mark the matched words inside the engine's output, so the text can be
# escaped as a whole before the marks become <mark> elements.
OPEN, CLOSE = "\ue000", "\ue001"
SNIPPET_WORDS = 24
CHUNK = 1000
RANKED_AT_MOST = 2000


@dataclass(frozen=True)
class Match:
    mistake_id: int
    score: float  # higher is closer


@dataclass(frozen=True)
class Highlight:
    title: SafeString
    snippet: SafeString


def document_fields(
    mistake: Mistake, extra: Sequence[str] = (), tag_names: Iterable[str] | None = None
) -> dict[str, str]:
    if tag_names is None:
        tag_names = (tag.name for tag in mistake.tags.all())
    return _fields(mistake.title, mistake.description, tag_names, extra)


def _fields(
    title: str, description: str, tag_names: Iterable[str], extra: Sequence[str]
) -> dict[str, str]:
    return {"title": title, "tags": " ".join(tag_names), "body": "\n".join([description, *extra])}


def index_new_mistake(mistake: Mistake) -> None:
    """The document of a mistake just inserted, which has no tags nor other records yet."""
    SearchDocument(mistake=mistake, **document_fields(mistake, tag_names=())).save(
        force_insert=True
    )


def index_mistakes(mistake_ids: Iterable[int]) -> int:
    """Write the search documents of these mistakes anew (deleted ones are dropped by cascade)."""
    written = 0
    for chunk in _chunks(list(mistake_ids), CHUNK):
        mistakes = Mistake.objects.filter(pk__in=chunk).prefetch_related("tags")
        extra = _source_texts(chunk)
        documents = [SearchDocument(mistake=m, **document_fields(m, extra[m.pk])) for m in mistakes]
        SearchDocument.objects.bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["mistake"],
            update_fields=["title", "tags", "body"],
        )
        written += len(documents)
    return written


def index_inserted(mistake_ids: Iterable[int]) -> int:
    """Write the documents of mistakes inserted as rows (an import, a generated past) that have
    none yet; their text is read as values, a few queries a thousand, not as model instances."""
    written = 0
    for chunk in _chunks(sorted(set(mistake_ids)), CHUNK):
        indexed = SearchDocument.objects.filter(mistake_id__in=chunk).values_list("pk", flat=True)
        missing = sorted(set(chunk) - set(indexed))
        if not missing:
            continue
        Tagged: Any = Mistake.tags.through
        tags: dict[int, list[str]] = defaultdict(list)
        for mistake_id, name in (
            Tagged.objects.filter(mistake_id__in=missing)
            .order_by("tag__name")
            .values_list("mistake_id", "tag__name")
        ):
            tags[mistake_id].append(name)
        extra = _source_texts(missing)
        rows = Mistake.objects.filter(pk__in=missing).values_list("pk", "title", "description")
        documents = [
            SearchDocument(mistake_id=pk, **_fields(title, description, tags[pk], extra[pk]))
            for pk, title, description in rows
        ]
        SearchDocument.objects.bulk_create(documents, ignore_conflicts=True)
        written += len(documents)
    return written


def _source_texts(mistake_ids: list[int]) -> defaultdict[int, list[str]]:
    extra: defaultdict[int, list[str]] = defaultdict(list)
    for source in active_sources():
        for mistake_id, texts in source.texts_for(mistake_ids).items():
            extra[mistake_id].extend(texts)
    return extra


def reindex_all(progress: Callable[[int], None] | None = None) -> int:
    """Every mistake's document anew, then the engine's index rebuilt from them."""
    ids = list(Mistake.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    with transaction.atomic():
        SearchDocument.objects.exclude(mistake_id__in=Mistake.objects.values("pk")).delete()
        for chunk in _chunks(ids, CHUNK):
            written += index_mistakes(chunk)
            if progress:
                progress(len(chunk))
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO learning_search(learning_search) VALUES('rebuild')")
    return written


def matches(query: Query, *, limit: int, offset: int = 0) -> list[Match]:
    """The best matching mistakes, best first, before anyone's visibility is applied.

    Only the newest ``RANKED_AT_MOST`` matches are ranked: a word found in a hundred thousand
    mistakes would otherwise be scored a hundred thousand times for every query, and the
    engines walk their matches newest first at almost no cost. Below that many matches the
    ranking is exact.
    """
    if not query:
        return []
    if connection.vendor == "postgresql":
        sql = (
            "SELECT mistake_id, ts_rank(document, q) AS score FROM ("
            "  SELECT mistake_id, document, q"
            "  FROM learning_searchdocument, websearch_to_tsquery('english', %s) q"
            "  WHERE document @@ q ORDER BY mistake_id DESC LIMIT %s"
            ") newest ORDER BY score DESC, mistake_id DESC LIMIT %s OFFSET %s"
        )
        params: list[str | int] = [query.websearch(), RANKED_AT_MOST, limit, offset]
    else:
        # FTS5's rank is bm25 with the column weights set in the migration; lower is better.
        sql = (
            "SELECT rowid, score FROM ("
            "  SELECT rowid, -rank AS score FROM learning_search WHERE learning_search MATCH %s"
            "  ORDER BY rowid DESC LIMIT %s"
            ") ORDER BY score DESC, rowid DESC LIMIT %s OFFSET %s"
        )
        params = [query.fts5(), RANKED_AT_MOST, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Match(int(row[0]), float(row[1])) for row in cursor.fetchall()]


def shared_terms(query: Query, mistake_ids: Sequence[int]) -> dict[int, int]:
    """How many of the query's terms each of these mistakes' documents holds (none: left out)."""
    if not query.terms or not mistake_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(mistake_ids))
    if connection.vendor == "postgresql":
        sql = (
            "SELECT mistake_id, count(*) FROM learning_searchdocument, unnest(%s::text[]) term"
            f" WHERE mistake_id IN ({placeholders})"
            " AND document @@ plainto_tsquery('english', term) GROUP BY mistake_id"
        )
        params: list[Any] = [list(query.terms), *mistake_ids]
    else:
        one_term = (
            "SELECT rowid FROM learning_search"
            f" WHERE learning_search MATCH %s AND rowid IN ({placeholders})"
        )
        sql = (
            "SELECT rowid, count(*) FROM ("
            + " UNION ALL ".join([one_term] * len(query.terms))
            + ") GROUP BY rowid"
        )
        params = [p for term in query.terms for p in (Query.of(term).fts5(), *mistake_ids)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(mistake_id): int(count) for mistake_id, count in cursor.fetchall()}


def highlights(query: Query, mistake_ids: Sequence[int]) -> dict[int, Highlight]:
    """The title with the matched words marked, and the best passage of the rest."""
    if not query or not mistake_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(mistake_ids))
    if connection.vendor == "postgresql":
        options = f"StartSel={OPEN}, StopSel={CLOSE}"
        sql = (
            "SELECT mistake_id,"
            f" ts_headline('english', title, q, %s),"
            f" ts_headline('english', body, q, %s)"
            " FROM learning_searchdocument, websearch_to_tsquery('english', %s) q"
            f" WHERE mistake_id IN ({placeholders})"
        )
        params: list[str | int] = [
            options + ", HighlightAll=true",
            options + f", MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}",
            query.websearch(),
            *mistake_ids,
        ]
    else:
        sql = (
            "SELECT rowid, highlight(learning_search, 0, %s, %s),"
            " snippet(learning_search, 2, %s, %s, '…', %s)"
            f" FROM learning_search WHERE learning_search MATCH %s AND rowid IN ({placeholders})"
        )
        params = [OPEN, CLOSE, OPEN, CLOSE, SNIPPET_WORDS, query.fts5(), *mistake_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            int(row[0]): Highlight(_marked(row[1] or ""), _marked(row[2] or ""))
            for row in cursor.fetchall()
        }


def _marked(text: str) -> SafeString:
    return mark_safe(escape(text).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
