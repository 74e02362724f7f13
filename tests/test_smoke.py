from __future__ import annotations

import pytest

from django.test import Client


@pytest.mark.django_db
def test_admin_login_page_renders(client: Client) -> None:
    assert client.get("/admin/login/").status_code == 200
