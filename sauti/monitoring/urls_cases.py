from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from sauti.monitoring import views, views_status

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", views.case_inbox, name="case_inbox"),
    path("cases/poll/", views.case_inbox_poll, name="case_inbox_poll"),
    path("cases/bulk/", views.case_bulk, name="case_bulk"),
    path("cases/new-report/", views.report_monitor, name="report_monitor"),
    path("cases/categories/", views.category_list, name="category_list"),
    path("cases/categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("cases/categories/<slug:slug>/new/", views.category_add, name="category_add"),
    path("cases/places/<slug:slug>/", views.local_places, name="local_places"),
    path("cases/attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/status/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/notes/", views.case_note, name="case_note"),
    path("cases/<int:pk>/inform/", views.case_inform, name="case_inform"),
    path("cases/<int:pk>/reports/<int:report_pk>/confirm/", views.report_confirm, name="report_confirm"),
    path("cases/<int:pk>/reports/<int:report_pk>/split/", views.report_split, name="report_split"),
    path("cases/<int:pk>/reports/<int:report_pk>/move/", views.report_move, name="report_move"),
    path(
        "cases/<int:pk>/reports/<int:report_pk>/redaction/", views.report_redaction, name="report_redaction"
    ),
    path("report/", views.report_public, name="report_public"),
    path("report/thanks/", views.report_thanks, name="report_thanks"),
    path("report/place/", views.report_place, name="report_place"),
    path("report/category/", views.report_category, name="report_category"),
    path("report/status/", views_status.report_status, name="report_status"),
    path("cases/<int:pk>/fixed/keep/", views_status.case_keep_resolved, name="case_keep_resolved"),
]
