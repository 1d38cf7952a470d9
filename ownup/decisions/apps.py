from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "ownup.decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        from ownup.decisions import views
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.sections import Section, register
        from ownup.reporting.stages import requirement

        register(
            Section(
                key="decision",
                title="Decision: evaluate the options",
                stage=Stage.DECIDED,
                template="decisions/_section.html",
                context=views.section_context,
            )
        )

        @requirement(Stage.DECIDED)
        def an_option_chosen(mistake: Mistake) -> str | None:
            if mistake.decisions.exists():
                return None
            return "no option for the fix has been chosen yet"
