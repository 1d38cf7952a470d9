from django.apps import AppConfig


class FixesConfig(AppConfig):
    name = "ownup.fixes"
    verbose_name = "Fixes"

    def ready(self) -> None:
        from ownup.fixes import services
        from ownup.insights.seams import provide_overdue_actions
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.stages import requirement

        provide_overdue_actions(services.overdue_action_count)

        @requirement(Stage.FIXED)
        def actions_done(mistake: Mistake) -> str | None:
            return services.fix_needs(mistake)
