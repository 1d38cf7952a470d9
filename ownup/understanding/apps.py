from django.apps import AppConfig


class UnderstandingConfig(AppConfig):
    name = "ownup.understanding"
    verbose_name = "Understanding"
    nav_links = [("Catalogue", "understanding:catalog")]

    def ready(self) -> None:
        from ownup.reporting import sections, stages
        from ownup.reporting.models import Stage
        from ownup.understanding import services
        from ownup.understanding.views import section_context

        stages.requirement(Stage.UNDERSTOOD)(services.missing_for_understood)
        sections.register(
            sections.Section(
                key="understanding",
                title="Understanding: the whole picture",
                stage=Stage.UNDERSTOOD,
                template="understanding/section.html",
                context=section_context,
            )
        )
