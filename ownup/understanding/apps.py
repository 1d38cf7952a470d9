from django.apps import AppConfig


class UnderstandingConfig(AppConfig):
    name = "ownup.understanding"
    verbose_name = "Understanding"
