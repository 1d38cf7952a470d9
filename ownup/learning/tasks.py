"""The library's work for the worker: embeddings, the search documents of inserted mistakes, the
weekly digest, the anniversary reminders."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ownup.learning import digest, index, semantic


@db_task(retries=2, retry_delay=60)
def embed_mistake(mistake_id: int) -> bool:
    """The sentence embedding of a mistake's current text, stored for similar-mistake lookups."""
    return semantic.embed_document(mistake_id)


@db_task(retries=2, retry_delay=60)
def index_inserted_mistakes(mistake_ids: list[int]) -> int:
    """The search documents, then the embeddings, of mistakes an import or a generated past
    inserted: a batch written in its own transaction after the writer's has committed."""
    with transaction.atomic():
        written = index.index_inserted(mistake_ids)
    semantic.embed_documents(mistake_ids)
    return written


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="0"))
def weekly_digest() -> int:
    """Monday morning: last week's closed mistakes and lessons to everyone who may see them."""
    return digest.send_digests(timezone.now())


@db_periodic_task(crontab(hour="8", minute="0"))
def anniversary_reminders() -> int:
    """Each morning: ask the owners of mistakes closed a year ago whether the fix still holds."""
    return digest.send_anniversary_reminders(timezone.now())
