from django.apps import AppConfig


class CommunicationConfig(AppConfig):
    name = "ownup.communication"
    verbose_name = "Communication"
