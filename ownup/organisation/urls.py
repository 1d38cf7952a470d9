from django.urls import path

from ownup.organisation import views

app_name = "organisation"
urlpatterns = [
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke, name="revoke"),
]
