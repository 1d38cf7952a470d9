"""What is waiting for a person, across the lifecycle: the list page's "Waiting for you",
``ownup waiting`` and ``GET /api/v1/waiting``.

Each app that asks something of people has a module ``waiting`` with ``for_person(user)``,
returning :class:`Waiting` items; :func:`everything_for` gathers them, keeps those in mistakes
the person may see, and puts the most pressing first. Reporting's own: the open mistakes a
person owns.
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
    link: str = ""  # where it is done, when that is not the mistake's page

    @property
    def url(self) -> str:
        if self.link:
            return self.link
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
    owned = Mistake.objects.filter(owner=user).exclude(stage=Stage.CLOSED)
    return [
        Waiting(stages.NEXT_STEP[m.stage_enum], m)
        for m in owned.order_by("-reported_at")[:MOST_EACH]
    ]


def everything_for(user: User) -> list[Waiting]:
    """Late first, then by due date, then what has no date, newest mistake first; only in the
    mistakes ``user`` may see."""
    gathered = [item for module in app_modules("waiting") for item in module.for_person(user)]
    # The rule asked of the few mistakes found, rather than joined into every app's query:
    # over a large library that join reads every mistake to find a handful.
    seen = set(
        Mistake.objects.visible_to(user)
        .filter(pk__in={item.mistake.pk for item in gathered})
        .values_list("pk", flat=True)
    )
    visible = [item for item in gathered if item.mistake.pk in seen]
    by_mistake = sorted(visible, key=lambda w: w.mistake.reported_at, reverse=True)
    return sorted(by_mistake, key=lambda w: (not w.late, w.due is None, w.due or date.min))


def due_date(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None
