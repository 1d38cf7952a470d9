"""How the apps of the lifecycle plug in: by having a module of an agreed name.

The project lists no app's routes, commands, sections or demo data by hand; it asks each app
for its ``api``, ``cli``, ``urls``, ``demo`` (...) module, in the order of INSTALLED_APPS.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[ModuleType]:
    """Each ownup app's module called ``name``, for the apps that have one."""
    return list(each_app_module(name))


def each_app_module(name: str) -> Iterator[ModuleType]:
    """The same, each imported only when the ones before it were not enough."""
    for config in apps.get_app_configs():
        if not config.name.startswith("ownup."):
            continue
        try:
            module = import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as missing:
            # Only the module's own absence means "this app has none"; a broken import inside
            # it must still fail loudly.
            if missing.name != f"{config.name}.{name}":
                raise
            continue
        yield module
