"""drf-spectacular hooks."""

from __future__ import annotations

from typing import Any


def only_api(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list[tuple[str, str, str, Any]]:
    """The schema describes /api/ only, even if another app mounts a DRF view elsewhere."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
