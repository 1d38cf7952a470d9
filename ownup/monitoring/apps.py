from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "ownup.monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from ownup.monitoring import sections, services, signals, tasks  # noqa: F401
