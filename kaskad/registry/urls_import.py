from django.urls import URLPattern, URLResolver

app_name = "registry_imports"
urlpatterns: list[URLPattern | URLResolver] = []
