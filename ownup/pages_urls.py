"""The pages' URLs: everything but the API, which ``ownup.urls`` mounts beside them."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from ownup.seams import app_modules

admin.site.site_header = "ownup administration"
admin.site.site_title = "ownup administration"
admin.site.index_title = "People, teams, vocabulary and records"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reporting:list"), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # Browsers ask for it on pages that name no icon (the admin's, the API docs).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    *(path("", include(module)) for module in app_modules("urls")),
]
