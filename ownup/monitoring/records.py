"""A check and its runs as plain records: the shape the API and the CLI's --json share."""

from __future__ import annotations

from typing import Any

from ownup.monitoring.models import CheckRun, EffectivenessCheck


def check_record(check: EffectivenessCheck) -> dict[str, Any]:
    return {
        "id": check.pk,
        "mistake": check.mistake_id,
        "kind": check.kind,
        "name": check.name,
        "baseline": check.baseline,
        "config": check.config,
        "schedule": check.schedule_text,
        "interval_minutes": check.interval_minutes,
        "cron": check.cron,
        "window_days": check.window_days,
        "failures_to_reopen": check.failures_to_reopen,
        "person": check.person.get_username() if check.person else None,
        "active": check.active,
        "window_started_at": check.window_started_at,
        "window_ends_at": check.window_ends_at,
        "next_due_at": check.next_due_at,
        "window_passes": check.window_passes,
        "window_failures": check.window_failures,
        "consecutive_failures": check.consecutive_failures,
        "last_run_at": check.last_run_at,
        "last_outcome": check.last_outcome or None,
        "verdict": check.verdict().value,
    }


def run_record(run: CheckRun, visible: set[int] | None = None) -> dict[str, Any]:
    related = run.related_mistake_id
    return {
        "id": run.pk,
        "slot": run.slot,
        "started_at": run.started_at,
        "duration_ms": run.duration_ms,
        "outcome": run.outcome,
        "detail": run.detail,
        "in_window": run.in_window,
        "related_mistake": related if related and visible and related in visible else None,
    }
