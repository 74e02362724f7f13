"""The client's address, trusting X-Forwarded-For only from the proxies named in SAUTI_TRUSTED_PROXIES."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """REMOTE_ADDR, unless it is a trusted proxy: then the right-most address in X-Forwarded-For that is
    not itself a trusted proxy (what a client puts on the left cannot be trusted)."""
    if request is None:
        return None
    remote = str(request.META.get("REMOTE_ADDR") or "")
    trusted = set(getattr(settings, "SAUTI_TRUSTED_PROXIES", []))
    if remote not in trusted:
        return remote or None
    forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return remote or None
