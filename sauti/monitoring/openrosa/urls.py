"""OpenRosa endpoints under /odk/. ODK Collect's server URL: https://<host>/odk (all the user's forms)
or https://<host>/odk/<organisation> (that organisation's form only)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from sauti.monitoring.openrosa import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("formList", views.form_list, name="odk_form_list"),
    path("submission", views.submission, name="odk_submission"),
    path("forms/<slug:slug>/form.xml", views.form_xml, name="odk_form_xml"),
    path("forms/<slug:slug>/f/<str:form_id>/form.xml", views.other_form_xml, name="odk_other_form_xml"),
    path("forms/<slug:slug>/xlsform.xlsx", views.xlsform, name="odk_xlsform"),
    path("<slug:slug>/formList", views.form_list, name="odk_org_form_list"),
    path("<slug:slug>/submission", views.submission, name="odk_org_submission"),
]
