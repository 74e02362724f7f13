from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from sauti.insights import views_maps as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("map/", views.map_page, name="map"),
    path("map/data/counties.json", views.map_counties, name="map_counties"),
    path("map/data/wards.json", views.map_wards, name="map_wards"),
    path("map/data/settlements.json", views.map_settlements, name="map_settlements"),
    path("map/data/counts.json", views.map_counts, name="map_counts"),
    path("map/data/clusters.json", views.map_clusters, name="map_clusters"),
    path("map/data/cases.json", views.map_cases, name="map_cases"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("public/map/", views.public_map, name="public_map"),
    path("public/map/data/counts.json", views.public_map_counts, name="public_map_counts"),
    path("public/map/data/clusters.json", views.public_map_clusters, name="public_map_clusters"),
    path("public/map/data/cases.json", views.public_map_cases, name="public_map_cases"),
]
