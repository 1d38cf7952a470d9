"""The one reading of a duration a person types: 15m, 2h, 1d, 2w.

A check's interval and a containment's "remove by 3d" are read alike. Both are bounded: a
duration of a billion days is accepted by the pattern, but adding it to a date overflows, and
the scheduler and the stage moves would fail on it long after the person typed it.
"""

from __future__ import annotations

import re
from datetime import timedelta

PATTERN = re.compile(r"^\s*\+?(\d+)\s*([mhdw]?)\s*$")
UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 7 * 1440}
MAX_DAYS = 365
EXAMPLES = "like 15m, 2h, 1d or 2w"


class DurationError(ValueError):
    pass


def is_duration(text: str) -> bool:
    """Whether ``text`` is written as a duration with its unit (and not, say, as a date)."""
    match = PATTERN.match(text or "")
    return bool(match and match.group(2))


def parse_duration(text: str, *, what: str = "duration", bare: str = "") -> timedelta:
    """The duration ``text`` gives, more than none and at most MAX_DAYS days.

    ``bare`` is the unit of a plain number ("m" lets "90" mean 90 minutes); without one, a
    plain number is refused. ``what`` names the duration in the refusal ("an interval").
    """
    match = PATTERN.match(text or "")
    unit = match.group(2) or bare if match else ""
    if not match or not unit or int(match.group(1)) == 0:
        raise DurationError(
            f"{text!r} is not {_article(what)} {what}; write minutes, hours, days or weeks "
            f"{EXAMPLES}."
        )
    # Compared as a number first: a huge one would overflow timedelta itself.
    minutes = int(match.group(1)) * UNIT_MINUTES[unit]
    if minutes > MAX_DAYS * 1440:
        raise DurationError(
            f"{text!r} is too long: {_article(what)} {what} is at most {MAX_DAYS} days."
        )
    return timedelta(minutes=minutes)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
