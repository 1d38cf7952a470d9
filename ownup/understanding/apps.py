from django.apps import AppConfig


class UnderstandingConfig(AppConfig):
    name = "ownup.understanding"
    verbose_name = "Understanding"
    nav_links = [("Catalogue", "understanding:catalog")]

    def ready(self) -> None:
        from ownup.reporting import stages
        from ownup.reporting.models import Stage
        from ownup.understanding import services

        stages.requirement(Stage.UNDERSTOOD)(services.missing_for_understood)
