from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def sauti(request: HttpRequest) -> dict[str, Any]:
    return {"SAUTI_ENV": settings.SAUTI_ENV, "DEMO_MODE": getattr(settings, "SAUTI_DEMO_BANNER", True)}
