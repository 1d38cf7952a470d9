"""How the apps of the lifecycle plug in: by having a module of an agreed name.

The project lists no app's routes, commands, sections or demo data by hand; it asks each app
for its ``api``, ``cli``, ``urls``, ``demo`` (...) module, in the order of INSTALLED_APPS.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[ModuleType]:
    """Each ownup app's module called ``name``, for the apps that have one."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ownup."):
            continue
        try:
            found.append(import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as missing:
            # Only the module's own absence means "this app has none"; a broken import inside
            # it must still fail loudly.
            if missing.name != f"{config.name}.{name}":
                raise
    return found
