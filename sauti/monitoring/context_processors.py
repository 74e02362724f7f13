from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sauti.people.access import Perm, can_anywhere


def monitoring(request: HttpRequest) -> dict[str, Any]:
    user = request.user

    def can_view_cases() -> bool:
        return can_anywhere(user, Perm.VIEW_CASES) or can_anywhere(user, Perm.VIEW_REFERRED_CASES)

    # A callable: templates evaluate it only where the navigation asks for it.
    return {"CAN_VIEW_CASES": can_view_cases}
