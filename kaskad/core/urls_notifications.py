"""The notifications page. Under /delivery/ and the `delivery` namespace, where it was first
published (config/urls.py adds it there), so links and bookmarks keep working."""

from django.urls import URLPattern, path

from kaskad.core import views

urlpatterns: list[URLPattern] = [
    path("notifications/", views.notifications, name="notifications"),
]
