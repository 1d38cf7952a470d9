from django.urls import path

from ownup.containment import views

app_name = "containment"
urlpatterns = [
    path("mistakes/<int:mistake_id>/containment/", views.add_action, name="add"),
    path(
        "mistakes/<int:mistake_id>/containment/<int:action_id>/<str:step>/",
        views.step_action,
        name="step",
    ),
    path("mistakes/<int:mistake_id>/customer-care/", views.add_care, name="care"),
    path("mistakes/<int:mistake_id>/support/", views.add_support, name="support"),
]
