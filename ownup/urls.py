from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from ownup.api import api


def _app_urls() -> list[URLPattern | URLResolver]:
    # Each app of the lifecycle may bring a ``urls`` module; its paths are written in full.
    found: list[URLPattern | URLResolver] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ownup."):
            continue
        try:
            import_module(f"{config.name}.urls")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.urls":
                raise
            continue
        found.append(path("", include(f"{config.name}.urls")))
    return found


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reporting:list"), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    *_app_urls(),
]
