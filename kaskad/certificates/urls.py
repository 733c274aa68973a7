from django.urls import URLPattern, URLResolver, path, register_converter

from kaskad.certificates import views


class TokenConverter:
    """The QR code's token: URL-safe base64 letters only (no NUL, no odd characters)."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "certificate_token")

app_name = "certificates"
urlpatterns: list[URLPattern | URLResolver] = [
    # Public: no login.
    path("verify/", views.verify, name="verify"),
    path("v/<certificate_token:token>/", views.verify_token, name="verify_token"),
    # Staff and participants.
    path("", views.certificate_list, name="list"),
    path("mine/", views.my_certificates, name="my_certificates"),
    path("<int:pk>/", views.certificate_detail, name="detail"),
    path("<int:pk>/pdf/", views.certificate_pdf, name="pdf"),
    path("<int:pk>/revoke/", views.certificate_revoke_view, name="revoke"),
    path("<int:pk>/reissue/", views.certificate_reissue_view, name="reissue"),
    path("cohorts/<int:pk>/", views.cohort_certificates, name="cohort"),
    path("sessions/generate/", views.session_generate, name="session_generate"),
    path("jobs/<int:pk>/download/", views.bulk_download, name="bulk_download"),
]
