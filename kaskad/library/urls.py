from django.urls import URLPattern, URLResolver, path

from kaskad.library import views

app_name = "library"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.search, name="search"),
    path("submit/", views.submit, name="submit"),
    path("review/", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("publications/", views.publications, name="publications"),
    path("journal/<int:pk>/", views.issue, name="issue"),
    path("<int:pk>/", views.material_detail, name="material_detail"),
    path("<int:pk>/files/<int:file_pk>/", views.download, name="download"),
    path("<int:pk>/favourite/", views.favourite, name="favourite"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/version/", views.new_version, name="new_version"),
]
