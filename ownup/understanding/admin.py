from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ownup.understanding.models import FactorCategory


@admin.register(FactorCategory)
class FactorCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "position"]
    list_editable = ["position"]
    ordering = ["position", "name"]

    def save_model(
        self, request: HttpRequest, obj: FactorCategory, form: Any, change: bool
    ) -> None:
        # Factors name their category as typed, in lower case ("process"): keep the names so.
        obj.name = obj.name.strip().lower()
        super().save_model(request, obj, form, change)
