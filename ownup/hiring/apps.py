from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "ownup.hiring"
    verbose_name = "Hiring kit"
    default_auto_field = "django.db.models.BigAutoField"
