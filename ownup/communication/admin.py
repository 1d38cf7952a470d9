from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ownup.communication.models import Audience, BlameTerm, Message, Recipient
from ownup.reporting.models import Mistake


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "proposes", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"key": ["name"]}


@admin.register(BlameTerm)
class BlameTermAdmin(admin.ModelAdmin):
    list_display = ["phrase", "suggestion"]
    search_fields = ["phrase", "suggestion"]


class RecipientInline(admin.TabularInline):
    model = Recipient
    extra = 0
    readonly_fields = (
        "address",
        "channel",
        "state",
        "attempts",
        "error",
        "sent_at",
        "acknowledged_at",
    )
    fields = readonly_fields
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "mistake", "audience_name", "sent_by", "sent_at"]
    readonly_fields = ["mistake", "audience", "audience_name", "subject", "body", "sent_by"]
    inlines = [RecipientInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        # The admin shows what its user may see everywhere else, no more.
        return Message.objects.filter(mistake__in=Mistake.objects.visible_to(request.user))
