from django.apps import AppConfig


class ContainmentConfig(AppConfig):
    name = "ownup.containment"
    verbose_name = "Containment"
