from django.urls import URLPattern, URLResolver, path, register_converter

from kaskad.surveys import views


class LinkConverter:
    """A public survey link: URL-safe base64 letters only."""

    regex = "[A-Za-z0-9_-]{1,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LinkConverter, "survey_link")

app_name = "surveys"
urlpatterns: list[URLPattern | URLResolver] = [
    # Public: no login.
    path("s/<survey_link:link>/", views.public_answer, name="public"),
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("new/example.xlsx", views.xlsform_example, name="xlsform_example"),
    path("course-feedback/", views.course_feedback, name="course_feedback"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/questions/", views.survey_question_add, name="question_add"),
    path("<int:pk>/publish/", views.survey_publish, name="publish"),
    path("<int:pk>/dates/", views.survey_dates, name="dates"),
    path("<int:pk>/results/", views.survey_results, name="results"),
    path("<int:pk>/export/<str:fmt>/", views.survey_export, name="export"),
    path("<int:pk>/answer/", views.survey_answer, name="answer"),
]
