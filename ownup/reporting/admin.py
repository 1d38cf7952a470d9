from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ownup.reporting.models import Mistake, Tag, TimelineEntry


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    fields = ["at", "kind", "text", "actor"]
    readonly_fields = ["at", "kind", "text", "actor"]
    can_delete = False


@admin.register(Mistake)
class MistakeAdmin(admin.ModelAdmin):
    list_display = ["pk", "title", "stage", "severity", "team", "confidentiality", "reported_at"]
    list_filter = ["stage", "severity", "team", "confidentiality", "discovered_by"]
    search_fields = ["title"]
    inlines = [TimelineInline]
    filter_horizontal = ["restricted_to", "tags"]
    readonly_fields = ["stage", "contained_at", "fixed_at", "closed_at", "reporter"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mistake]:
        # Admins see in the admin site what they may see everywhere else, no more.
        return Mistake.objects.visible_to(request.user)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
