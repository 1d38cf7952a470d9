from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from ownup.reporting.changes import mistakes_changed
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
    readonly_fields = ["reported_at", "stage", "contained_at", "fixed_at", "closed_at", "reporter"]

    def save_model(self, request: HttpRequest, obj: Mistake, form: Any, change: bool) -> None:
        # Changes made here are audited like changes made anywhere else.
        super().save_model(request, obj, form, change)
        assert isinstance(request.user, User)  # the admin site lets only staff in
        if change and form.changed_data:
            TimelineEntry.objects.create(
                mistake=obj,
                actor=request.user,
                kind=TimelineEntry.Kind.CHANGED,
                text="Changed in the admin site: " + ", ".join(form.changed_data),
                changes={
                    name: [str(form.initial.get(name)), str(form.cleaned_data.get(name))]
                    for name in form.changed_data
                },
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # After the tags and named people: the whole change is told at once.
        super().save_related(request, form, formsets, change)
        mistakes_changed([form.instance.pk])

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mistake]:
        # Admins see in the admin site what they may see everywhere else, no more.
        return Mistake.objects.visible_to(request.user)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
