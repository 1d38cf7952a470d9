from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ownup.fixes.models import Action, FixPolicy
from ownup.reporting.models import Mistake


@admin.register(FixPolicy)
class FixPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "require_independent_verification", "remind_days_before"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "mistake", "kind", "strength", "owner", "due_date", "status"]
    list_filter = ["kind", "strength", "status"]
    search_fields = ["title"]
    raw_id_fields = ["mistake", "owner", "verified_by", "created_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Action]:
        return Action.objects.filter(mistake__in=Mistake.objects.visible_to(request.user))
