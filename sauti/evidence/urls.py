from __future__ import annotations

from django.urls import URLPattern, path

from sauti.evidence import views

urlpatterns: list[URLPattern] = [
    path("evidence/bundle/", views.bundle_page, name="evidence_bundle"),
    path("evidence/keys/<slug:slug>/", views.organisation_key, name="evidence_key"),
    path("evidence/public-keys/", views.public_keys, name="evidence_public_keys"),
    path("evidence/public-keys/<slug:slug>.txt", views.public_key_text, name="evidence_public_key_text"),
    path("evidence/identity-access/", views.identity_access_log, name="identity_access_log"),
]
