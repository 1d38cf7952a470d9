from django.apps import AppConfig


class ContainmentConfig(AppConfig):
    name = "ownup.containment"
    verbose_name = "Containment"

    def ready(self) -> None:
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.stages import requirement

        @requirement(Stage.CONTAINED)
        def a_containment_taken(mistake: Mistake) -> str | None:
            from ownup.containment import services  # when a mistake moves, not at every start

            if services.is_contained(mistake):
                return None
            return "no containment action has been taken yet"
