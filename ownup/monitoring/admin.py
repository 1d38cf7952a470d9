from django.contrib import admin

from ownup.monitoring.models import CheckRun, EffectivenessCheck, Lesson, MonitoringPolicy


@admin.register(MonitoringPolicy)
class MonitoringPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "sign_off_required", "default_window_days"]


@admin.register(EffectivenessCheck)
class EffectivenessCheckAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "mistake", "active", "next_due_at", "last_outcome"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["mistake", "person", "created_by"]


@admin.register(CheckRun)
class CheckRunAdmin(admin.ModelAdmin):
    list_display = ["check_ref", "slot", "outcome", "duration_ms"]
    list_filter = ["outcome"]
    raw_id_fields = ["check_ref", "related_mistake"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["learned", "verified_effective", "written_at"]
