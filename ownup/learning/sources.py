"""The seam through which other apps' records join a mistake's searchable text.

A :class:`Source` names a model with a foreign key to the mistake and says how to write one of its
rows as text. The library indexes that text with the mistake, re-indexes the mistake whenever a
row is saved or deleted, and shows outcome sources (containment, fixes, lessons) beside similar
mistakes. An app registers its own sources in its ``AppConfig.ready``; the known ones below join
by themselves as soon as their app defines the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

RowText = Callable[[models.Model], str]


def _is_words(model_field: models.Field[Any, Any]) -> bool:
    # Text people write: not a choice among fixed values, not a link.
    return (
        isinstance(model_field, models.CharField | models.TextField)
        and not isinstance(model_field, models.URLField)
        and not model_field.choices
    )


def text_fields_of(row: models.Model) -> str:
    """Every short or long text field of the row that holds words, in declaration order."""
    parts = []
    for model_field in row._meta.concrete_fields:
        if _is_words(model_field):
            value = getattr(row, model_field.attname)
            if value:
                parts.append(str(value))
    return " ".join(parts)


def outcome_of(row: models.Model) -> str | None:
    """How the row reads beside a similar mistake: its model's ``outcome_text()`` when it has
    one (which says None for a row that contained or fixed nothing, such as a proposal never
    taken), otherwise its first text."""
    describe = getattr(row, "outcome_text", None)
    if callable(describe):
        return describe()
    return next(
        (
            str(value)
            for model_field in row._meta.concrete_fields
            if _is_words(model_field) and (value := getattr(row, model_field.attname))
        ),
        None,
    )


@dataclass(frozen=True)
class Source:
    model_label: str  # "app_label.ModelName"
    label: str  # how a row is introduced beside a similar mistake: "Contained by", "Lesson"
    mistake_field: str = "mistake"
    text: RowText = text_fields_of  # what the library indexes
    outcome_text: Callable[[models.Model], str | None] = outcome_of  # what it shows
    # Outcomes are what contained, fixed or was learned: shown with similar mistakes.
    outcome: bool = True
    lesson: bool = False

    @property
    def model(self) -> type[models.Model] | None:
        app_label, _, model_name = self.model_label.partition(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return None
        try:
            model._meta.get_field(self.mistake_field)
        except FieldDoesNotExist:
            return None
        return model

    def mistake_id_of(self, row: models.Model) -> int | None:
        return getattr(row, f"{self.mistake_field}_id", None)

    def texts_for(
        self,
        mistake_ids: Iterable[int],
        as_text: Callable[[models.Model], str | None] | None = None,
    ) -> dict[int, list[str]]:
        """The text of each row (``as_text``, the indexed text by default), grouped by the
        mistake it belongs to; rows with no text are left out."""
        model = self.model
        found: dict[int, list[str]] = {}
        if model is None:
            return found
        write = as_text or self.text
        rows = model._default_manager.filter(**{f"{self.mistake_field}_id__in": list(mistake_ids)})
        for row in rows:
            text = (write(row) or "").strip()
            mistake_id = self.mistake_id_of(row)
            if text and mistake_id is not None:
                found.setdefault(mistake_id, []).append(text)
        return found

    def outcomes_for(self, mistake_ids: Iterable[int]) -> dict[int, list[str]]:
        """What contained, fixed or was learned, as shown beside each similar mistake."""
        return self.texts_for(mistake_ids, as_text=self.outcome_text)


_sources: dict[str, Source] = {}

# The records of the other stages that belong in the library when their app provides them.
# Only records meant to be shared: the just-culture classification never joins.
KNOWN_SOURCES = [
    Source("understanding.Factor", "Contributing factor", outcome=False),
    Source("understanding.ContributingFactor", "Contributing factor", outcome=False),
    Source("containment.ContainmentAction", "Contained by"),
    Source("containment.Action", "Contained by"),
    Source("fixes.Action", "Fixed by"),
    Source("fixes.FixAction", "Fixed by"),
    Source("monitoring.Lesson", "Lesson", lesson=True),
]


def register(source: Source) -> Source:
    _sources[source.model_label.lower()] = source
    return source


def register_known() -> None:
    for source in KNOWN_SOURCES:
        if source.model is not None:
            register(source)


def active_sources() -> list[Source]:
    return [source for source in _sources.values() if source.model is not None]


def unregister(model_label: str) -> None:
    _sources.pop(model_label.lower(), None)


def registered(model_label: str) -> Source | None:
    """The source registered for this model now, if any."""
    return _sources.get(model_label.lower())
