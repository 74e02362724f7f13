from __future__ import annotations

from django.urls import path

from sauti.places import views

urlpatterns = [
    path("", views.place_search, name="place_search"),
    path("results/", views.place_search_results, name="place_search_results"),
    path("search.json", views.place_search_json, name="place_search_json"),
    path("at.json", views.place_at_json, name="place_at_json"),
]
