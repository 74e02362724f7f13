from __future__ import annotations

import pytest

from django.contrib.staticfiles import finders
from django.test import Client


@pytest.mark.parametrize("path", ["sauti/sauti.css", "sauti/htmx.min.js", "sauti/favicon.svg"])
def test_the_shared_static_files_are_found(path: str) -> None:
    assert finders.find(path)


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy() -> None:
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
