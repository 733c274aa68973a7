"""The site's pages without the import pages: the layout must still render when a part of
the site is missing (its links are left out)."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from kaskad.web import views as web_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", web_views.home, name="home"),
    path("accounts/", include("kaskad.accounts.urls")),
    path("registry/", include("kaskad.registry.urls")),
    path("jobs/", include("kaskad.core.urls")),
    path("admin/", admin.site.urls),
]
