"""A URL that fails, to see the 500 page a user would get."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("unexpected failure")


urlpatterns = [path("boom/", boom)]
handler500 = "kaskad.core.views.server_error"
