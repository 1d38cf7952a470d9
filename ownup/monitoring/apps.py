from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "ownup.monitoring"
    verbose_name = "Monitoring"
