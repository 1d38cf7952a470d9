from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.apps import AppConfig
from django.db.models import QuerySet


class UnderstandingConfig(AppConfig):
    name = "ownup.understanding"
    verbose_name = "Understanding"
    nav_links = [("Catalogue", "understanding:catalog")]

    def ready(self) -> None:
        from ownup.insights.seams import FactorCategories, provide_factor_categories
        from ownup.reporting.models import Mistake, Stage
        from ownup.reporting.stages import requirement
        from ownup.understanding.models import ContributingFactor, FactorCategory

        def factors() -> QuerySet[Any]:
            return ContributingFactor.objects.all()

        def names(ids: Collection[int]) -> dict[int, str]:
            return dict(FactorCategory.objects.filter(pk__in=ids).values_list("pk", "name"))

        provide_factor_categories(FactorCategories(factors=factors, names=names))

        @requirement(Stage.UNDERSTOOD)
        def the_whole_picture(mistake: Mistake) -> str | None:
            from ownup.understanding import services  # when a mistake moves, not at every start

            return services.missing_for_understood(mistake)
