from django.urls import URLPattern, path

from kaskad.learning import views

app_name = "learning"
urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("register/confirm/<str:token>/", views.register_confirm, name="register_confirm"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("courses/<int:pk>/continue/", views.continue_, name="continue"),
    path("courses/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("steps/<int:pk>/", views.step, name="step"),
    path("steps/<int:pk>/media", views.step_media, name="step_media"),
    path("steps/<int:pk>/ask/", views.ask, name="ask"),
    path("team/<int:pk>/", views.team_course, name="team_course"),
    path("team/<int:pk>/draft/", views.new_draft, name="new_draft"),
    path("team/<int:pk>/modules/", views.module_add, name="module_add"),
    path("team/<int:pk>/lessons/", views.lesson_add, name="lesson_add"),
    path("team/<int:pk>/steps/", views.step_add, name="step_add"),
    path("team/<int:pk>/gift/", views.gift_import, name="gift_import"),
    path("team/<int:pk>/export.gift", views.gift_export, name="gift_export"),
    path("team/<int:pk>/publish/", views.publish, name="publish"),
    path("team/<int:pk>/learners/", views.learners, name="learners"),
    path("team/<int:pk>/cohort-enrol/", views.cohort_enrol, name="cohort_enrol"),
    path("team/<int:pk>/stats/", views.stats, name="stats"),
    path("team/<int:pk>/export.xlsx", views.export, name="export"),
    path("posts/<int:pk>/answer/", views.answer, name="answer"),
    path("posts/<int:pk>/hide/", views.hide, name="hide"),
]
