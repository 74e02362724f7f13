from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from sauti.insights import views_exports

urlpatterns: list[URLPattern | URLResolver] = [
    path("exports/", views_exports.export_page, name="exports"),
    re_path(
        r"^exports/reports\.(?P<fmt>csv|xlsx|geojson|hxl)$",
        views_exports.export_reports,
        name="export_reports",
    ),
]
