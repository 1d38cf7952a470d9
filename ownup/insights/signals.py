"""Changes to mistakes that happen without a service: deleting a mistake, or the team or tag it
names (the team is then cleared, the tag taken off). Each is told like any other change, in the
deletion's transaction, so the dashboard's totals follow."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from ownup.organisation.models import Team
from ownup.reporting.changes import mistakes_changed
from ownup.reporting.models import Mistake, Tag

_AFFECTED = "_ownup_affected_mistakes"


@receiver(post_delete, sender=Mistake, dispatch_uid="insights-mistake-deleted")
def mistake_deleted(sender: type[Mistake], instance: Mistake, **_: Any) -> None:
    mistakes_changed([instance.pk])


@receiver(pre_delete, sender=Team, dispatch_uid="insights-team-deleting")
@receiver(pre_delete, sender=Tag, dispatch_uid="insights-tag-deleting")
def note_affected(sender: type[Team | Tag], instance: Team | Tag, **_: Any) -> None:
    setattr(instance, _AFFECTED, list(instance.mistakes.values_list("pk", flat=True)))


@receiver(post_delete, sender=Team, dispatch_uid="insights-team-deleted")
@receiver(post_delete, sender=Tag, dispatch_uid="insights-tag-deleted")
def affected_changed(sender: type[Team | Tag], instance: Team | Tag, **_: Any) -> None:
    mistakes_changed(getattr(instance, _AFFECTED, []))
