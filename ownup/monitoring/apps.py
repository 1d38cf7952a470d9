from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "ownup.monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from ownup.insights.seams import provide_verified_effective
        from ownup.monitoring import services, signals  # noqa: F401  (signals: by importing)

        provide_verified_effective(services.verified_effective)
