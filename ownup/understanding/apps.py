from __future__ import annotations

from datetime import datetime

from django.apps import AppConfig
from django.db.models import QuerySet


class UnderstandingConfig(AppConfig):
    name = "ownup.understanding"
    verbose_name = "Understanding"
    nav_links = [("Catalogue", "understanding:catalog")]

    def ready(self) -> None:
        from ownup.insights.seams import provide_factor_categories
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.stages import requirement

        def factor_categories(mistakes: QuerySet[Mistake]) -> list[tuple[datetime, str]]:
            from ownup.understanding import services  # when the dashboard asks, not at every start

            return services.factor_categories(mistakes)

        provide_factor_categories(factor_categories)

        @requirement(Stage.UNDERSTOOD)
        def the_whole_picture(mistake: Mistake) -> str | None:
            from ownup.understanding import services  # when a mistake moves, not at every start

            return services.missing_for_understood(mistake)
