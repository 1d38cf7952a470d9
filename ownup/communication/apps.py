from django.apps import AppConfig


class CommunicationConfig(AppConfig):
    name = "ownup.communication"
    verbose_name = "Communication"

    def ready(self) -> None:
        from ownup.communication import sections, services, tasks  # noqa: F401
        from ownup.reporting import sections as page
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.stages import requirement

        page.register(sections.SECTION)

        @requirement(Stage.TOLD)
        def message_sent(mistake: Mistake) -> str | None:
            return services.told_needs(mistake)
