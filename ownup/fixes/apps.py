from django.apps import AppConfig


class FixesConfig(AppConfig):
    name = "ownup.fixes"
    verbose_name = "Fixes"
