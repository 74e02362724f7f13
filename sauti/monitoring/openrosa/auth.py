"""Who is calling the OpenRosa API: HTTP Basic (ODK Collect) or a logged-in browser session (Enketo)."""

from __future__ import annotations

import base64
import binascii

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from sauti.people.models import User

REALM = "Sauti"
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8"'


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """(username, password) from an `Authorization: Basic …` header; None when absent or unreadable."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        return None
    return username, password


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


def _csrf_ok(request: HttpRequest) -> bool:
    """A cookie-authenticated POST must carry the CSRF token, as any form in the app does."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    return CsrfViewMiddleware(_no_view).process_view(request, _no_view, (), {}) is None


def openrosa_user(request: HttpRequest) -> User | None:
    """The authenticated user, or None (the caller answers 401 with a Basic challenge).

    Basic credentials win over a session; a session POST without a valid CSRF token counts as anonymous.
    """
    credentials = basic_credentials(request)
    if credentials is not None:
        # channel="odk": the lockout backend also accepts per-device ODK passwords here, and refuses the
        # account password of a role that needs a second factor (sauti.people.security.LockoutBackend).
        user = authenticate(request, username=credentials[0], password=credentials[1], channel="odk")
        return user if isinstance(user, User) and user.is_active else None
    if request.headers.get("Authorization"):
        return None
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and user.is_active and _csrf_ok(request):
        return user
    return None
