"""An action as a plain record, the one shape the API, the CLI's --json and exports share."""

from __future__ import annotations

from typing import Any

from ownup.fixes.models import Action


def action_record(action: Action) -> dict[str, Any]:
    return {
        "id": action.pk,
        "mistake": action.mistake_id,
        "title": action.title,
        "kind": action.kind,
        "strength": action.strength,
        "owner": action.owner.get_username(),
        "due_date": action.due_date,
        "status": action.status,
        "overdue": action.is_overdue(),
        "tracker_url": action.tracker_url,
        "evidence": action.evidence,
        "done_at": action.done_at,
        "cancel_reason": action.cancel_reason,
        "verified_by": action.verified_by.get_username() if action.verified_by else None,
        "verified_at": action.verified_at,
        "verification_note": action.verification_note,
    }
