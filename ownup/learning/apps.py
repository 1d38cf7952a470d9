from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "ownup.learning"
    verbose_name = "Learning"
    nav_links = [("Library", "learning:library")]

    def ready(self) -> None:
        from ownup.learning import signals, sources

        sources.register_known()
        signals.connect()
