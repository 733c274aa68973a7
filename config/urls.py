from django.contrib import admin
from django.urls import include, path

from config.api import api
from kaskad.accounts import views as accounts_views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("accounts/", include("kaskad.accounts.urls")),
    path("registry/", include("kaskad.registry.urls")),
    path("registry/imports/", include("kaskad.registry.imports.urls")),
    path("catalogue/", include("kaskad.catalogue.urls")),
    path("cascade/", include("kaskad.cascade.urls")),
    path("delivery/", include("kaskad.delivery.urls")),
    path("assessment/", include("kaskad.assessment.urls")),
    path("certificates/", include("kaskad.certificates.urls")),
    path("plagiarism/", include("kaskad.plagiarism.urls")),
    path("reports/", include("kaskad.reports.urls")),
    path("jobs/", include("kaskad.core.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "kaskad.core.views.not_found"
handler500 = "kaskad.core.views.server_error"
handler403 = "kaskad.core.views.forbidden"
