from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "ownup.learning"
    verbose_name = "Learning"
    nav_links = [("Library", "learning:library")]

    def ready(self) -> None:
        from ownup.learning import signals, sources, tasks  # noqa: F401  (tasks join the queue)
        from ownup.learning.views import similar_section
        from ownup.reporting.models import Stage
        from ownup.reporting.sections import Section, register

        sources.register_known()
        signals.connect()
        register(
            Section(
                key="similar",
                title="Similar mistakes",
                # Last on the page: the story of this mistake comes first, and the report form
                # already showed similar ones while it was being typed.
                stage=Stage.CLOSED,
                template="learning/_similar_section.html",
                context=similar_section,
            )
        )
