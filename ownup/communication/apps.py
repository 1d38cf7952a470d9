from django.apps import AppConfig


class CommunicationConfig(AppConfig):
    name = "ownup.communication"
    verbose_name = "Communication"

    def ready(self) -> None:
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.stages import requirement

        @requirement(Stage.TOLD)
        def message_sent(mistake: Mistake) -> str | None:
            from ownup.communication import services  # when a mistake moves, not at every start

            return services.told_needs(mistake)
