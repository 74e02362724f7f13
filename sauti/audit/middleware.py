"""Names the logged-in user in the audit entries a request writes."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sauti.audit import audit


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.set_actor(request.user)
        try:
            return self.get_response(request)
        finally:
            audit.reset_actor(token)
