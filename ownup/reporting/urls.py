from django.urls import path

from ownup.reporting import views

app_name = "reporting"
urlpatterns = [
    path("mistakes/", views.mistake_list, name="list"),
    path("mistakes/report/", views.report, name="report"),
    path("mistakes/<int:mistake_id>/", views.detail, name="detail"),
    path("mistakes/<int:mistake_id>/receipt/", views.receipt, name="receipt"),
    path("mistakes/<int:mistake_id>/edit/", views.edit, name="edit"),
    path("mistakes/<int:mistake_id>/stage/", views.move_stage, name="move"),
    path("mistakes/<int:mistake_id>/timeline/", views.add_note, name="note"),
    path("integrations/slack/", views.slack_command, name="slack"),
    path("integrations/slack/connect/<str:token>/", views.slack_connect, name="slack_connect"),
]
