from __future__ import annotations

from django.urls import URLPattern, path

from sauti.mapping import views

app_name = "mapping"

urlpatterns: list[URLPattern] = [
    path("meeting/<int:pk>/", views.meeting_exercises, name="meeting"),
    path("meeting/<int:pk>/new/", views.exercise_create, name="exercise_create"),
    path("<int:pk>/", views.exercise_detail, name="exercise"),
    path("<int:pk>/hotspots/", views.hotspot_add, name="hotspot_add"),
    path("<int:pk>/actors/", views.actor_add, name="actor_add"),
    path("<int:pk>/ties/", views.tie_add, name="tie_add"),
    path("<int:pk>/compare/", views.compare, name="compare"),
]
