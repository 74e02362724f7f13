"""The client's address, trusting X-Forwarded-For only from the proxies named in SAUTI_TRUSTED_PROXIES
(addresses or networks). The log-in lockout and the throttles both read it (issues 13 and 14)."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def _trusted(addr: IPv4Address | IPv6Address | None) -> bool:
    networks = _networks(tuple(settings.SAUTI_TRUSTED_PROXIES))
    return addr is not None and any(addr in net for net in networks)


def client_ip(request: HttpRequest | Any | None) -> str | None:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy (SAUTI_TRUSTED_PROXIES); then the
    last X-Forwarded-For address that no trusted proxy added (anything left of it is the client's claim)."""
    if request is None:
        return None
    remote = _address(str(request.META.get("REMOTE_ADDR") or ""))
    if remote is None:
        return None
    if not _trusted(remote):
        return str(remote)
    last = remote
    hops = [h for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:
            break
        if not _trusted(addr):
            return str(addr)
        last = addr
    return str(last)
