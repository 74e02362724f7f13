from __future__ import annotations

from django.urls import URLPattern, path

from sauti.trust import views

app_name = "trust"

urlpatterns: list[URLPattern] = [
    path("programme/<int:pk>/", views.programme_surveys, name="programme"),
    path("programme/<int:pk>/new/", views.survey_create, name="survey_create"),
    path("<int:pk>/", views.survey_detail, name="survey"),
    path("<int:pk>/waves/new/", views.wave_add, name="wave_add"),
    path("<int:pk>/paper/", views.paper_entry, name="paper"),
    path("<int:pk>/send/", views.survey_send, name="survey_send"),
    path("answer/<slug:token>/", views.answer, name="answer"),
]
