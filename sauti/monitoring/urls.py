"""Monitoring URLs, one module per area so each can grow on its own (the map, dashboard and exports are
in sauti.insights.urls)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from sauti.monitoring import views_import

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("sauti.monitoring.urls_cases")),
    path("exports/import/ushahidi/", views_import.import_ushahidi, name="import_ushahidi"),
    path("odk/", include("sauti.monitoring.openrosa.urls")),
]
