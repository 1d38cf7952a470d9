from django.urls import path

from ownup.hiring import views

app_name = "hiring"
urlpatterns = [
    path("hiring/", views.kit, name="kit"),
    path("hiring/scorecards/<int:scorecard_id>/", views.scorecard, name="scorecard"),
    path("hiring/guide/", views.guide, name="guide"),
    path("hiring/guide.pdf", views.guide_pdf, name="guide_pdf"),
]
