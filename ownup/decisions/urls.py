from django.urls import path

from ownup.decisions import views

app_name = "decisions"
urlpatterns = [
    path("mistakes/<int:mistake_id>/options/", views.add_option, name="add"),
    path(
        "mistakes/<int:mistake_id>/options/<int:option_id>/scores/",
        views.score_option,
        name="score",
    ),
    path("mistakes/<int:mistake_id>/decision/", views.decide, name="decide"),
]
