from django.urls import path

from ownup.learning import views

app_name = "learning"
urlpatterns = [
    path("library/", views.library, name="library"),
    path("library/similar/", views.similar_live, name="similar_live"),
]
