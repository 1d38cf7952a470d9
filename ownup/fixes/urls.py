from django.urls import path

from ownup.fixes import views

app_name = "fixes"
urlpatterns = [
    path("mistakes/<int:mistake_id>/actions/new/", views.add_action, name="add"),
    path("actions/<int:action_id>/start/", views.start_action, name="start"),
    path("actions/<int:action_id>/done/", views.complete_action, name="done"),
    path("actions/<int:action_id>/verify/", views.verify_action, name="verify"),
    path("actions/<int:action_id>/cancel/", views.cancel_action, name="cancel"),
]
