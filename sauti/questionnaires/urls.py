"""Questionnaire pages under /forms/ (the OpenRosa side is served by monitoring's /odk/ through its registry)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from sauti.questionnaires import views

app_name = "questionnaires"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.form_list, name="list"),
    path("org/<slug:slug>/upload/", views.upload, name="upload"),
    path("org/<slug:slug>/build/", views.build, name="build"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/versions/<int:version_pk>.xlsx", views.version_xlsx, name="version_xlsx"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/results/", views.results_page, name="results"),
    path("<int:pk>/export.<str:fmt>", views.export, name="export"),
    path("<int:pk>/submissions/", views.submission_list, name="submissions"),
    path("<int:pk>/sessions/new/", views.session_open, name="session_open"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("sessions/<int:pk>/", views.session_page, name="session"),
    path("sessions/<int:pk>/close/", views.session_close, name="session_close"),
    path("findings/<int:pk>/<str:verb>/", views.finding_action, name="finding"),
    path("shared/<str:token>/", views.shared, name="shared"),
]
