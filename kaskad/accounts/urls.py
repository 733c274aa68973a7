from django.urls import URLPattern, URLResolver, path

from kaskad.accounts import views

app_name = "accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("language/", views.set_language, name="language"),
]
