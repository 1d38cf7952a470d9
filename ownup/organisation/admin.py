from django.contrib import admin

from ownup.organisation.models import (
    ApiToken,
    Membership,
    Organisation,
    Severity,
    SlackAccount,
    Team,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "email", "has_chat"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [MembershipInline]

    @admin.display(boolean=True, description="chat channel")
    def has_chat(self, team: Team) -> bool:
        return bool(team.chat_url)  # the URL itself carries the channel's secret


@admin.register(Severity)
class SeverityAdmin(admin.ModelAdmin):
    list_display = ["rank", "name", "target_contain_minutes", "notify_managers"]
    ordering = ["rank"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "hint", "created_at", "last_used_at"]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    fields = ["user", "name", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        # A token's secret is shown once when created; that happens in the CLI.
        return False


@admin.register(SlackAccount)
class SlackAccountAdmin(admin.ModelAdmin):
    # Connected by each person from Slack's /ownup; an admin may only see or remove them.
    list_display = ["slack_name", "slack_user", "workspace", "user", "connected_at"]
    readonly_fields = ["workspace", "slack_user", "slack_name", "user", "connected_at"]
    search_fields = ["slack_name", "slack_user", "user__username"]

    def has_add_permission(self, request: object) -> bool:
        return False
