from django.urls import path

from kaskad.observations import views

app_name = "observations"

urlpatterns = [
    path("", views.observation_list, name="list"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("new/", views.observation_start, name="start"),
    path("new/<int:teacher_id>/", views.observation_form, name="form"),
    path("<int:pk>/", views.observation_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.observation_acknowledge, name="acknowledge"),
    path("teachers/<int:teacher_id>/", views.teacher_change, name="teacher_change"),
    path("change/", views.change_index, name="change_index"),
    path("change/schools/<int:pk>/", views.school_change, name="school_change"),
    path("change/networks/<int:pk>/", views.network_change, name="network_change"),
    path("change/branches/<int:pk>/", views.branch_change, name="branch_change"),
    path("agreement/", views.agreement, name="agreement"),
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/xlsx/", views.instrument_export, name="instrument_export"),
    path("instruments/<int:pk>/publish/", views.instrument_publish, name="instrument_publish"),
    path("instruments/<int:pk>/copy/", views.instrument_copy, name="instrument_copy"),
]
