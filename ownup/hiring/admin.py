from django.contrib import admin

from ownup.hiring.models import Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "topic", "position", "active"]
    list_filter = ["topic", "active"]
    list_editable = ["position", "active"]
