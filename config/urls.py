from django.contrib import admin
from django.urls import include, path

from config.api import api
from kaskad.catalogue import urls as catalogue_urls
from kaskad.core import urls_notifications as notification_urls
from kaskad.delivery import urls as delivery_urls
from kaskad.web import plan as web_plan
from kaskad.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/", include("kaskad.accounts.urls")),
    path("registry/", include("kaskad.registry.urls")),
    path("registry/imports/", include("kaskad.registry.imports.urls")),
    # The plan-versus-actual page lives above the catalogue (docs/adr/0003-layers.md) but keeps
    # its catalogue URL and name; before the catalogue's own routes, whose "<code>/" would
    # take "plan/".
    path(
        "catalogue/",
        include((web_plan.urlpatterns + catalogue_urls.urlpatterns, catalogue_urls.app_name)),
    ),
    path("cascade/", include("kaskad.cascade.urls")),
    # The notifications page (kaskad.core) keeps the path and name it was published under.
    path(
        "delivery/",
        include(
            (notification_urls.urlpatterns + delivery_urls.urlpatterns, delivery_urls.app_name)
        ),
    ),
    path("assessment/", include("kaskad.assessment.urls")),
    path("certificates/", include("kaskad.certificates.urls")),
    path("surveys/", include("kaskad.surveys.urls")),
    path("learning/", include("kaskad.learning.urls")),
    path("plagiarism/", include("kaskad.plagiarism.urls")),
    path("monitoring/", include("kaskad.monitoring.urls")),
    path("library/", include("kaskad.library.urls")),
    path("networks/", include("kaskad.networks.urls")),
    path("projects/", include("kaskad.projects.urls")),
    path("observations/", include("kaskad.observations.urls")),
    path("reports/", include("kaskad.reports.urls")),
    path("jobs/", include("kaskad.core.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "kaskad.core.views.not_found"
handler500 = "kaskad.core.views.server_error"
handler403 = "kaskad.core.views.forbidden"
