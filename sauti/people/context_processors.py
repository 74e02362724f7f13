from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _demo_mode() -> bool:
    from sauti.people.models import Organisation

    return Organisation.objects.filter(is_demo=True).exists()


def sauti(request: HttpRequest) -> dict[str, Any]:
    # A callable: templates evaluate it only where the banner is rendered.
    return {"SAUTI_ENV": settings.SAUTI_ENV, "DEMO_MODE": _demo_mode}
