"""Which links of the main menu each user sees: only what their roles may open (no link that answers 403).

Evaluated lazily: templates read MENU.<key> only where the navigation is drawn.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from sauti.people.access import Perm, can_anywhere, official_offices


class Menu:
    def __init__(self, user: Any) -> None:
        self.user = user

    def _can(self, perm: Perm) -> bool:
        return bool(self.user.is_authenticated and can_anywhere(self.user, perm))

    @cached_property
    def groups(self) -> bool:
        return self._can(Perm.VIEW_GROUPS)

    @cached_property
    def dialogues(self) -> bool:
        return self._can(Perm.VIEW_DIALOGUES)

    @cached_property
    def my_office(self) -> bool:
        return bool(self.user.is_authenticated and official_offices(self.user))

    @cached_property
    def opinions(self) -> bool:
        # Opinion maps belong to the organisation's own work; officials see the scorecard and their office.
        return self._can(Perm.VIEW_AGGREGATES) and not (self.my_office and not self.groups)

    @cached_property
    def questionnaires(self) -> bool:
        return (
            self._can(Perm.MANAGE_FORMS) or self._can(Perm.VIEW_SUBMISSIONS) or self._can(Perm.JOIN_ANALYSIS)
        )

    @cached_property
    def budgets(self) -> bool:
        return self._can(Perm.VIEW_BUDGETS)

    @cached_property
    def submit_reports(self) -> bool:
        return self._can(Perm.SUBMIT_REPORTS)


def menu(request: HttpRequest) -> dict[str, Any]:
    return {"MENU": Menu(request.user)}
