from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class HiringConfig(AppConfig):
    name = "ownup.hiring"
    verbose_name = "Hiring kit"
    default_auto_field = "django.db.models.BigAutoField"
    nav_links = [("Hiring", "hiring:kit")]

    def shows_nav_links_to(self, user: User | AnonymousUser) -> bool:
        from ownup.hiring.services import on_hiring_team

        return on_hiring_team(user)
