"""Keeping the index in step: every saved or deleted record re-indexes the mistake it belongs to.

The search document is written in the same transaction as the change, so a search never sees a
record the database does not have; the embedding, which needs the model, is left to the worker.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save

from ownup.learning import index, semantic
from ownup.learning.sources import Source, active_sources, registered
from ownup.reporting.changes import on_mistakes_inserted
from ownup.reporting.models import Mistake


def reindex(mistake_id: int | None) -> None:
    if mistake_id is None:
        return
    index.index_mistakes([mistake_id])
    _embed_after_commit(mistake_id)


def _embed_after_commit(mistake_id: int) -> None:
    if semantic.available():
        from ownup.learning.tasks import embed_mistake  # the worker's tasks, loaded when queued

        transaction.on_commit(lambda: embed_mistake(mistake_id))


def _mistake_saved(
    sender: type[Mistake], instance: Mistake, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        # Nothing can point at a row that did not exist: its document is its own text, written
        # without reading tags or other records back. (A fixture's rows may come in any order,
        # so a raw save reads them.)
        index.index_new_mistake(instance)
        _embed_after_commit(instance.pk)
    else:
        reindex(instance.pk)


def _mistakes_inserted(mistake_ids: list[int]) -> None:
    # Thousands at a time, without model saves: written by the worker once the writer commits,
    # so a large import does not hold the database for the full-text index as well.
    from ownup.learning.tasks import index_inserted_mistakes  # loaded when queued, as above

    transaction.on_commit(lambda: index_inserted_mistakes(mistake_ids))


def _tags_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Mistake):
        reindex(instance.pk)


def _source_changed_handler(source: Source) -> Any:
    def changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
        if _deleting_mistakes(kwargs.get("origin")):
            # Its records go before the mistake: writing its document again then would leave
            # one behind that points at no mistake, and the deletion would fail as it commits.
            return
        # The handler outlives an unregistered source (and one registered again for the same
        # model reuses it): ask which source is registered now.
        current = registered(source.model_label)
        if current is None:
            return
        mistake_id = current.mistake_id_of(instance)
        if mistake_id is not None and Mistake.objects.filter(pk=mistake_id).exists():
            reindex(mistake_id)

    return changed


def _deleting_mistakes(origin: object) -> bool:
    """Whether a deletion started from a mistake or a query of mistakes (its cascade)."""
    return isinstance(origin, Mistake) or (
        isinstance(origin, QuerySet) and issubclass(origin.model, Mistake)
    )


_connected: list[Any] = []  # the handlers must live as long as the signals hold weak references


def connect() -> None:
    on_mistakes_inserted(_mistakes_inserted)
    post_save.connect(_mistake_saved, sender=Mistake, dispatch_uid="learning-index-mistake")
    m2m_changed.connect(
        _tags_changed, sender=Mistake.tags.through, dispatch_uid="learning-index-tags"
    )
    for source in active_sources():
        connect_source(source)


def connect_source(source: Source) -> None:
    model = source.model
    if model is None:
        return
    handler = _source_changed_handler(source)
    _connected.append(handler)
    uid = f"learning-index-{source.model_label}"
    post_save.connect(handler, sender=model, dispatch_uid=uid + "-save")
    post_delete.connect(handler, sender=model, dispatch_uid=uid + "-delete")
