from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "ownup.decisions"
    verbose_name = "Decisions"
