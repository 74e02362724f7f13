from __future__ import annotations

from django.urls import URLPattern, path

from sauti.impact import views

app_name = "impact"

urlpatterns: list[URLPattern] = [
    path("<slug:slug>/", views.impact_report, name="impact_report"),
    path("<slug:slug>/report.<str:fmt>", views.impact_document, name="impact_document"),
    path("<slug:slug>/records/<str:figure>/", views.impact_records, name="impact_records"),
]
