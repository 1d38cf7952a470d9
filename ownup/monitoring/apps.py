from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "ownup.monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from ownup.insights.seams import provide_verified_effective
        from ownup.monitoring import signals  # noqa: F401  (connects its receivers)
        from ownup.monitoring.models import verified_effective

        provide_verified_effective(verified_effective)
