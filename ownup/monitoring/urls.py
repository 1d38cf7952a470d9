from django.urls import path

from ownup.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("mistakes/<int:mistake_id>/checks/add/", views.add_check, name="add"),
    path("mistakes/<int:mistake_id>/checks/<int:check_id>/", views.check_detail, name="check"),
    path("mistakes/<int:mistake_id>/checks/<int:check_id>/run/", views.run_check, name="run"),
    path(
        "mistakes/<int:mistake_id>/checks/<int:check_id>/remove/",
        views.remove_check,
        name="remove",
    ),
    path("mistakes/<int:mistake_id>/close/", views.close, name="close"),
    path("mistakes/<int:mistake_id>/lesson/", views.write_lesson, name="lesson"),
    path(
        "mistakes/<int:mistake_id>/checkins/<int:run_id>/",
        views.answer_here,
        name="answer",
    ),
    path("checkins/<str:token>/", views.checkin, name="checkin"),
]
