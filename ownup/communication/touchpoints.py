"""What other stages know that a message needs, looked up only when their app provides it.

Understanding (touch points, causes), Containment and Monitoring are built beside this app;
each lookup asks for one small, documented function and falls back to nothing when it is not
there, so Communication works with or without them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.contrib.auth.models import User

from ownup.reporting.models import Mistake


def _provided(module: str, name: str) -> Any:
    try:
        return getattr(import_module(module), name, None)
    except ImportError:
        return None


def owners(mistake: Mistake) -> list[User]:
    """The touch points' owners and the people accepted for them:
    ``understanding.services.people_to_involve(mistake)``."""
    lookup = _provided("ownup.understanding.services", "people_to_involve")
    if lookup is None:
        return []
    return [person for person in lookup(mistake) if isinstance(person, User)]


def why(mistake: Mistake) -> str:
    """Why it happened, as Understanding recorded it: ``analysis_of(mistake).why_it_happened``."""
    lookup = _provided("ownup.understanding.services", "analysis_of")
    if lookup is None:
        return ""
    return str(getattr(lookup(mistake), "why_it_happened", "") or "")


def containment(mistake: Mistake) -> str:
    """What was done at once to stop the harm: ``containment.services.containment_summary``."""
    lookup = _provided("ownup.containment.services", "containment_summary")
    return str(lookup(mistake) or "") if lookup else ""


def results(mistake: Mistake) -> list[str]:
    """How each effectiveness check went, in words for the people told:
    ``monitoring.services.results_in_words(mistake)``."""
    lookup = _provided("ownup.monitoring.services", "results_in_words")
    return [str(line) for line in lookup(mistake)] if lookup else []
