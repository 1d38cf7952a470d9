from django.urls import include, path

from ownup.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("ownup.pages_urls")),
]
