"""Production mode: static files collect under WhiteNoise's manifest storage and pages render with it
(issue 13, defect 1). The full start as production does it (gunicorn) is scripts/production_smoke.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from django.core.management import call_command
from django.test import Client, override_settings

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.mark.django_db
def test_static_files_collect_with_the_manifest_storage_and_pages_render(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path / "static", STORAGES=MANIFEST, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        assert (tmp_path / "static" / "staticfiles.json").exists()
        response = Client().get("/")
        assert response.status_code == 200
        # Pages link the hashed names.
        assert b"/static/sauti/sauti." in response.content
