"""Insights URLs (the map, the dashboard, the public map, exports), one module per area."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("sauti.insights.urls_maps")),
    path("", include("sauti.insights.urls_exports")),
]
