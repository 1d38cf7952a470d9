from django.contrib import admin

from ownup.decisions.models import Criterion


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    """The organisation's criteria and weights. Options and decisions are not listed here: they
    belong to mistakes, which the admin site shows only to those who may see them."""

    list_display = ["name", "key", "weight", "lower_is_better", "position", "description"]
    list_editable = ["weight", "lower_is_better", "position"]
    prepopulated_fields = {"key": ["name"]}
