from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "ownup.insights"
    verbose_name = "Insights"
    nav_links = [("Dashboard", "insights:dashboard")]
