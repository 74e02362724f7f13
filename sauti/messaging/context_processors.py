from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sauti.people.access import Perm, can_anywhere


def messaging(request: HttpRequest) -> dict[str, Any]:
    user = request.user

    def can_manage() -> bool:
        return can_anywhere(user, Perm.MANAGE_MESSAGING)

    # A callable: evaluated only where the navigation asks for it.
    return {"CAN_MANAGE_MESSAGING": can_manage}
