"""The collection of best materials and the staff's publishing worklist."""

from django.urls import URLPattern, URLResolver, path

from kaskad.assessment.publishing import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("materials/", views.material_list, name="material_list"),
    path("materials/<int:pk>/", views.material_detail, name="material_detail"),
    path(
        "materials/<int:pk>/files/<int:file_pk>/",
        views.material_file,
        name="material_file",
    ),
    path("publishing/", views.publishing_worklist, name="publishing_worklist"),
    path("publishing/<int:pk>/publish/", views.publish_view, name="publishing_publish"),
    path("publishing/<int:pk>/unpublish/", views.unpublish_view, name="publishing_unpublish"),
]
