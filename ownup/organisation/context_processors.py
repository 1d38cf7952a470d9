from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.urls import reverse

from ownup.organisation.models import Organisation


def organisation(request: HttpRequest) -> dict[str, Any]:
    return {"organisation": Organisation.current, "nav_links": lambda: _nav_links(request.user)}


def _nav_links(user: User | AnonymousUser) -> list[tuple[str, str]]:
    # An app puts pages in the main menu with ``nav_links = [(label, url name), ...]`` on its
    # AppConfig, in the order of INSTALLED_APPS; with a ``shows_nav_links_to(user)`` method,
    # only to the people it says may use them.
    return [
        (label, reverse(url_name))
        for config in apps.get_app_configs()
        for label, url_name in getattr(config, "nav_links", [])
        if not hasattr(config, "shows_nav_links_to") or config.shows_nav_links_to(user)
    ]
