from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "ownup.learning"
    verbose_name = "Learning"
