from __future__ import annotations

from django.urls import URLPattern, path

from sauti.peers import views

app_name = "peers"

urlpatterns: list[URLPattern] = [
    path("practices/", views.library, name="library"),
    path("practices/new/", views.practice_create, name="practice_create"),
    path("practices/<int:pk>/", views.practice_detail, name="practice"),
    path("practices/<int:pk>/edit/", views.practice_edit, name="practice_edit"),
    path("practices/<int:pk>/files/", views.practice_file_add, name="practice_file_add"),
    path("practices/<int:pk>/adopt/", views.practice_adopt, name="practice_adopt"),
    path("practices/files/<int:pk>/", views.practice_file, name="practice_file"),
    path("exchanges/", views.visits, name="visits"),
    path("exchanges/<int:pk>/", views.visit_detail, name="visit"),
    path("exchanges/<int:pk>/lessons/", views.lesson_add, name="lesson_add"),
]
