"""Africa's Talking's incoming-SMS callback answered at the WSGI layer, in front of Django.

A shortcode's inbound SMS all arrive at one URL, in bursts. Through Django's full stack (middleware,
request objects, URL resolving) each callback cost about 0.5 ms of CPU more than the storing itself
(bench/messaging_bench.py; docs/decisions.md). This lane does what the view does with the same code —
the view's field reader, `channel_for`, `do_receive_sms` (message and processing task committed together
before the 200) — and passes everything it does not fully accept to Django untouched: malformed fields,
an unknown channel, a host or scheme Django would refuse, a database error. Django's view then answers
as it always has (400 with the reason in the caller's language, 404, 503 so the provider retries).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import DatabaseError
from django.http import Http404
from django.http.request import split_domain_port, validate_host
from django.urls import get_script_prefix, reverse

from sauti.messaging.actions import do_receive_sms
from sauti.messaging.models import ChannelKind
from sauti.messaging.providers.africastalking.views import read_incoming
from sauti.messaging.webhooks import BadRequest, channel_for

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_FORM = "application/x-www-form-urlencoded"
_HEADERS = [
    ("Content-Type", "text/plain"),
    ("Content-Length", "2"),
    ("X-Content-Type-Options", "nosniff"),
]


class InboundFastLane:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            match = _incoming_path().fullmatch(environ.get("PATH_INFO", ""))
            if match is not None and accept(environ, match[1]):
                start_response("200 OK", list(_HEADERS))
                return [b"OK"]
        return self.app(environ, start_response)


@functools.cache
def _incoming_path() -> re.Pattern[str]:
    """The incoming-SMS URL as the URLconf has it, with the channel token as the group."""
    placeholder = "TOKEN"
    path = reverse("at_incoming", args=[placeholder])[len(get_script_prefix()) - 1 :]  # as in PATH_INFO
    before, after = path.split(placeholder)
    return re.compile(re.escape(before) + r"([A-Za-z0-9_-]+)" + re.escape(after))


def accept(environ: dict[str, Any], token: str) -> bool:
    """Store the callback's message and return True, or return False with nothing stored (and the body
    put back for Django to read)."""
    if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != _FORM:
        return False
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return False
    body: bytes = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    if not _allowed(environ):
        return False
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        )
    except ValueError:  # not ASCII, or too many fields
        return False
    data = dict(pairs)  # the last of repeated fields, as Django's QueryDict.get gives
    # Django's request signals, as its handler sends them: connections past CONN_MAX_AGE or left broken
    # are closed before and after.
    request_started.send(sender=InboundFastLane, environ=environ)
    try:
        channel = channel_for(ChannelKind.AFRICASTALKING, token)
        do_receive_sms(channel, **read_incoming(channel, data))
    except (BadRequest, Http404, DatabaseError):
        return False
    finally:
        request_finished.send(sender=InboundFastLane)
    return True


def _allowed(environ: dict[str, Any]) -> bool:
    """The checks Django's middleware would make before the view: the host is allowed, and the request
    would not be redirected to HTTPS."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST", "")
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    return not settings.SECURE_SSL_REDIRECT or _is_secure(environ)


def _is_secure(environ: dict[str, Any]) -> bool:
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return bool(value.split(",")[0].strip() == secure_value)
    return bool(environ.get("wsgi.url_scheme") == "https")
