from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "ownup.reporting"
    verbose_name = "Reporting"
    nav_links = [("Mistakes", "reporting:list")]
