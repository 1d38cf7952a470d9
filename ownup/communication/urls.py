from django.urls import path

from ownup.communication import views

app_name = "communication"
urlpatterns = [
    path("mistakes/<int:mistake_id>/tell/", views.tell, name="tell"),
    path("mistakes/<int:mistake_id>/communication-lead/", views.set_lead, name="lead"),
    path("mistakes/<int:mistake_id>/postmortem.<str:fmt>", views.download, name="postmortem"),
    path("messages/<int:message_id>/remind/", views.remind, name="remind"),
    path("messages/<int:message_id>/resend/", views.resend, name="resend"),
    path("acknowledge/<str:token>/", views.acknowledge, name="acknowledge"),
    path("language-check/", views.check_language, name="check"),
]
