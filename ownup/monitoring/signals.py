"""Checks follow their mistake's stage: they run while it is in Monitoring, and only then."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from ownup.reporting.models import Mistake, Stage, TimelineEntry


@receiver(post_save, sender=TimelineEntry, dispatch_uid="monitoring-follows-stage")
def follow_stage(
    sender: type[TimelineEntry],
    instance: TimelineEntry,
    created: bool,
    raw: bool = False,
    **_: Any,
) -> None:
    # Every move of the stage machine writes one STAGE entry with [from, to]: the one place to
    # learn that a mistake entered or left Monitoring, whichever interface moved it. A restored
    # backup (raw) already holds what the moves recorded.
    if raw or not created or instance.kind != TimelineEntry.Kind.STAGE:
        return
    from ownup.monitoring import services  # at a move of stage, not at every start

    before, after = (instance.changes or {}).get("stage", [None, None])
    mistake = Mistake.objects.get(pk=instance.mistake_id)
    reopened = Stage(after).order < Stage(before).order
    if after == Stage.MONITORING:
        services.start_windows(mistake, instance.at, restart=reopened)
    elif before == Stage.MONITORING or reopened:
        services.pause_checks(mistake, reopened=reopened)
    if after == Stage.CLOSED:
        services.record_closure(mistake, instance)
