from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "ownup.organisation"
    verbose_name = "Organisation"
