from django.apps import AppConfig


class CommunicationConfig(AppConfig):
    name = "ownup.communication"
    verbose_name = "Communication"

    def ready(self) -> None:
        from ownup.communication import services
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.stages import requirement

        @requirement(Stage.TOLD)
        def message_sent(mistake: Mistake) -> str | None:
            return services.told_needs(mistake)
