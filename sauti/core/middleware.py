"""Security headers Django does not set itself (a strict Content-Security-Policy, permissions)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def content_security_policy() -> str:
    img = " ".join(["'self'", "data:", *getattr(settings, "SAUTI_CSP_IMG_EXTRA", [])])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {img}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


class UserLanguageMiddleware:
    """A logged-in user without a language cookie (new device) gets the language saved on the account."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # Look at the user only when a session exists: touching it adds `Vary: Cookie`, which would
        # stop shared caches from serving public pages.
        if (
            user is not None
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and getattr(user, "preferred_language", "") in ("en", "sw")
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response
