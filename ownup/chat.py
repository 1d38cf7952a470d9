"""Chat and webhooks through Apprise: the one place an Apprise URL is checked and posted to.

Apprise is imported only when it is needed: loading its plugins costs every start of ownup (a
one-line report included) a sixth of a second.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError

EXAMPLES = "slack://, msteams://, mmost://, discord://, json://, form://"


class PostFailed(Exception):
    """The service did not take the post; the reason is Apprise's, in its words."""


def looks_like_url(text: str) -> bool:
    return "://" in text


def problem_with(url: str) -> str | None:
    """Why Apprise cannot post to ``url``, in words for the person who typed it, or None."""
    if not looks_like_url(url):
        return f"Give an Apprise URL, such as {EXAMPLES.split(', ')[0]}…"
    import apprise

    scheme = url.split("://", 1)[0].lower()
    if scheme not in apprise.NotificationManager().schemas():
        return f"{scheme}:// is not a kind of address Apprise knows (for example {EXAMPLES})."
    with _apprise_quiet():
        usable = apprise.Apprise().add(url)
    if not usable:
        return f"{scheme}://… is not a complete {scheme} address for Apprise."
    return None


class _QuietWhileChecking(logging.Filter):
    """Drops what Apprise logs while this thread checks a URL: the person is told the problem in
    one line, and Apprise's own lines ("Could not load Slack URL: …") would only repeat it. Other
    threads keep their logs, a post's failure among them."""

    checking = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(self.checking, "on", False)


_QUIET = _QuietWhileChecking()


@contextmanager
def _apprise_quiet() -> Iterator[None]:
    logger = logging.getLogger("apprise")
    if _QUIET not in logger.filters:
        logger.addFilter(_QUIET)
    _QUIET.checking.on = True
    try:
        yield
    finally:
        _QUIET.checking.on = False


def validate_url(url: str) -> None:
    """A model field's validator: an Apprise URL, or nothing."""
    if url and (problem := problem_with(url)):
        raise ValidationError(problem)


def post(url: str, *, title: str, body: str) -> None:
    """Post to a chat or webhook; :class:`PostFailed` when it did not arrive."""
    import apprise

    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise PostFailed("Apprise cannot use this address")
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as logs:
        delivered = notifier.notify(title=title, body=body)
    if not delivered:
        raise PostFailed(logs.getvalue().strip() or "the service refused the message")


def private(url: str) -> str:
    """How a page may show the URL: its kind alone, never the tokens in the rest."""
    return url.split("://", 1)[0] + "://…"
