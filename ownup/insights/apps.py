from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "ownup.insights"
    verbose_name = "Insights"
    nav_links = [("Dashboard", "insights:dashboard")]

    def ready(self) -> None:
        from ownup.insights import signals, totals  # noqa: F401
        from ownup.reporting.changes import on_mistakes_changed

        # The dashboard's totals follow every change to a mistake, in its transaction.
        on_mistakes_changed(totals.refresh)
