"""Who must hear, in the same transaction, that mistakes changed.

Whatever writes mistakes (a report, an edit, a move of stage, the admin site, an import, a
generated past) says which ones it wrote by calling :func:`mistakes_changed` before its
transaction ends. Apps that keep something derived from mistakes (the dashboard's totals)
register a listener in their ``AppConfig.ready()``; reporting needs to know nothing of them.

Writers that insert many mistakes as rows, without saving model instances (an import, a
generated past), call :func:`mistakes_inserted` instead: no model signal told anyone of those
rows, so apps that follow model saves (the search index) hear of them there.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[list[int]], None]
"""Told the ids of the mistakes that were created, changed or deleted; runs in the writer's
transaction, so what it keeps is written or rolled back with the change itself."""

_listeners: list[Listener] = []
_inserted_listeners: list[Listener] = []
# The ids told while changes are gathered (see told_together), None when they are not.
_gathered: ContextVar[set[int] | None] = ContextVar("ownup_gathered_changes", default=None)


def on_mistakes_changed(listener: Listener) -> Listener:
    """Register ``listener``; registering the same one twice keeps one."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def mistakes_changed(mistake_ids: Iterable[int], *, up_to_date: Collection[Listener] = ()) -> None:
    """Tell every listener which mistakes were just written (or deleted).

    ``up_to_date``: listeners the writer has already brought up to date with these mistakes
    itself (an import counts its rows into the dashboard's totals from the values it wrote),
    which are not told again."""
    gathered = _gathered.get()
    if gathered is not None and not up_to_date:
        gathered.update(mistake_ids)
        return
    ids = sorted(set(mistake_ids))
    if not ids:
        return
    for listener in _listeners:
        if listener not in up_to_date:
            listener(ids)


@contextmanager
def told_together() -> Iterator[None]:
    """Within it, the mistakes said to have changed are told to the listeners once, together,
    as the block ends without an error (inside the same transaction, which the caller holds).

    For a writer that cannot say at once what it changed: deleting many mistakes sends one
    signal a mistake, and a listener told of each on its own would recount one at a time."""
    if _gathered.get() is not None:
        yield  # already gathered by an enclosing block, which tells them
        return
    gathered: set[int] = set()
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    mistakes_changed(gathered)


def on_mistakes_inserted(listener: Listener) -> Listener:
    """Register ``listener`` for mistakes inserted as rows; registering it twice keeps one."""
    if listener not in _inserted_listeners:
        _inserted_listeners.append(listener)
    return listener


def mistakes_inserted(mistake_ids: Iterable[int], *, up_to_date: Collection[Listener] = ()) -> None:
    """Tell the listeners of inserted rows, then every listener of changes, of new mistakes
    (but those in ``up_to_date``, as for :func:`mistakes_changed`)."""
    ids = sorted(set(mistake_ids))
    if not ids:
        return
    for listener in _inserted_listeners:
        if listener not in up_to_date:
            listener(ids)
    mistakes_changed(ids, up_to_date=up_to_date)
