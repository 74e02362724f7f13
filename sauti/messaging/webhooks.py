"""What every provider's webhook views share: finding the channel, answering 400 with a reason in
the caller's language, and never answering 500."""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sauti.messaging.models import CACHE_SECONDS, CHANNEL_CACHE, Channel
from sauti.people.phones import InvalidPhone, normalise_phone

log = logging.getLogger("sauti.messaging.webhooks")

MAX_TEXT = 2000  # longer texts are stored cut at this length (a concatenated SMS is at most ~1,600)


class BadRequest(Exception):
    """Malformed callback: the message is the reason given to the caller (translated)."""


def bad_request(reason: str) -> HttpResponse:
    return HttpResponse(reason, status=400, content_type="text/plain; charset=utf-8")


def webhook(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POST only, no CSRF (providers cannot send a token), 400 for malformed input, and 503 (so the
    provider retries) instead of a 500 when the database is unavailable."""

    @csrf_exempt
    @require_POST
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadRequest as e:
            return bad_request(str(e))
        except Http404:
            raise
        except DatabaseError:
            log.exception("webhook %s: database unavailable", request.path)
            return HttpResponse(
                _("Temporarily unavailable, try again."), status=503, content_type="text/plain"
            )
        except Exception:
            log.exception("webhook %s failed", request.path)
            return bad_request(_("This request could not be read."))

    return wrapped


def channel_for(kind: str, token: str) -> Channel:
    key = (kind, token)
    now = time.monotonic()
    cached = CHANNEL_CACHE.get(key)
    if cached is not None and cached[0] > now:
        channel = cached[1]
    else:
        channel = (
            Channel.objects.select_related("organisation").filter(kind=kind, token=token, active=True).first()
        )
        if len(CHANNEL_CACHE) > 1000:
            CHANNEL_CACHE.clear()
        CHANNEL_CACHE[key] = (now + CACHE_SECONDS, channel)
    if channel is None:
        raise Http404
    return channel


def required(data: Any, name: str) -> str:
    value: object = data.get(name)
    if not isinstance(value, str):
        raise BadRequest(_("Missing field: %(name)s.") % {"name": name})
    if "\x00" in value:
        raise BadRequest(_("Field %(name)s contains a null character.") % {"name": name})
    return value


_KENYAN_MOBILE = re.compile(r"\+254[17]\d{8}")


def phone_field(data: Any, name: str) -> str:
    raw = required(data, name)
    if _KENYAN_MOBILE.fullmatch(raw):  # what providers send; skips the slower general parser
        return raw
    try:
        return normalise_phone(raw)
    except InvalidPhone:
        # Not every sender is a Kenyan mobile number; keep anything that looks like an international one.
        digits = raw.strip()
        if digits.startswith("+") and digits[1:].isdigit() and 8 <= len(digits) <= 16:
            return digits
        raise BadRequest(_("Field %(name)s is not a phone number.") % {"name": name}) from None
