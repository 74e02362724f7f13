"""Monitoring URLs, one module per area so each can grow on its own."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("sauti.monitoring.urls_cases")),
    path("", include("sauti.monitoring.urls_maps")),
    path("", include("sauti.monitoring.urls_exports")),
    path("odk/", include("sauti.monitoring.openrosa.urls")),
]
