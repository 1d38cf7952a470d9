from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse

from ownup.organisation.models import Organisation


def organisation(request: HttpRequest) -> dict[str, Any]:
    return {"organisation": Organisation.current, "nav_links": _nav_links}


def _nav_links() -> list[tuple[str, str]]:
    # An app puts pages in the main menu with ``nav_links = [(label, url name), ...]`` on its
    # AppConfig, in the order of INSTALLED_APPS.
    return [
        (label, reverse(url_name))
        for config in apps.get_app_configs()
        for label, url_name in getattr(config, "nav_links", [])
    ]
