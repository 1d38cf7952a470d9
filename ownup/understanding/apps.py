from django.apps import AppConfig


class UnderstandingConfig(AppConfig):
    name = "ownup.understanding"
    verbose_name = "Understanding"
    nav_links = [("Catalogue", "understanding:catalog")]

    def ready(self) -> None:
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.stages import requirement

        @requirement(Stage.UNDERSTOOD)
        def the_whole_picture(mistake: Mistake) -> str | None:
            from ownup.understanding import services  # when a mistake moves, not at every start

            return services.missing_for_understood(mistake)
