"""What is waiting for a person, across the lifecycle: the list page's "Waiting for you",
``ownup waiting`` and ``GET /api/v1/waiting``.

Each app that asks something of people has a module ``waiting`` with ``for_person(user)``,
returning :class:`Waiting` items for the mistakes that person may see; :func:`everything_for`
gathers them, the most pressing first. Reporting's own: the open mistakes a person owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from ownup.reporting import stages
from ownup.reporting.models import Mistake, Stage
from ownup.seams import app_modules

# A person who owns hundreds of mistakes needs the list page, not this panel.
MOST_EACH = 20


@dataclass(frozen=True)
class Waiting:
    """One thing a person is asked to do about a mistake."""

    what: str
    mistake: Mistake
    anchor: str = ""  # the section of the mistake's page where it is done
    due: date | None = None

    @property
    def url(self) -> str:
        return self.mistake.get_absolute_url() + (f"#{self.anchor}" if self.anchor else "")

    @property
    def late(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()

    def record(self) -> dict[str, Any]:
        """The shape the API and the CLI's --json share."""
        return {
            "what": self.what,
            "mistake": self.mistake.pk,
            "title": self.mistake.title,
            "url": settings.BASE_URL + self.url,
            "due": self.due,
            "late": self.late,
        }


def for_person(user: User) -> list[Waiting]:
    owned = (
        Mistake.objects.visible_to(user)
        .filter(owner=user)
        .exclude(stage=Stage.CLOSED)
        .order_by("-reported_at")[:MOST_EACH]
    )
    return [Waiting(stages.NEXT_STEP[m.stage_enum], m) for m in owned]


def everything_for(user: User) -> list[Waiting]:
    """Late first, then by due date, then what has no date, newest mistake first."""
    gathered = [item for module in app_modules("waiting") for item in module.for_person(user)]
    by_mistake = sorted(gathered, key=lambda w: w.mistake.reported_at, reverse=True)
    return sorted(by_mistake, key=lambda w: (not w.late, w.due is None, w.due or date.min))


def due_date(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None
