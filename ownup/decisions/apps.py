from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "ownup.decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.stages import requirement

        @requirement(Stage.DECIDED)
        def an_option_chosen(mistake: Mistake) -> str | None:
            if mistake.decisions.exists():
                return None
            return "no option for the fix has been chosen yet"
