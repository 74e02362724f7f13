"""Is this client allowed one more submission? Counted per organisation, scope and client address in fixed
windows; the limits are the deployment's defaults (settings) unless the organisation set its own."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from sauti.core.clients import client_ip
from sauti.core.crypto import lookup_hash
from sauti.people.models import Organisation, User
from sauti.throttles.models import Scope, ThrottleCount, ThrottleLimit


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window_seconds: int
    default: tuple[int, int]
    own: bool  # set by the organisation

    @property
    def label(self) -> str:
        return str(Scope(self.scope).label)


def defaults() -> dict[str, tuple[int, int]]:
    return {
        Scope.REPORT: (settings.SAUTI_THROTTLE_REPORTS, settings.SAUTI_THROTTLE_REPORTS_WINDOW),
        Scope.VOTE: (settings.SAUTI_THROTTLE_VOTES, settings.SAUTI_THROTTLE_VOTES_WINDOW),
        Scope.STATUS: (settings.SAUTI_THROTTLE_STATUS, settings.SAUTI_THROTTLE_STATUS_WINDOW),
        Scope.TRUST: (settings.SAUTI_THROTTLE_TRUST, settings.SAUTI_THROTTLE_TRUST_WINDOW),
    }


def limits_for(organisation: Organisation) -> list[Limit]:
    own = {t.scope: t for t in ThrottleLimit.objects.filter(organisation=organisation)}
    out = []
    for scope, default in defaults().items():
        mine = own.get(scope)
        limit, window = (mine.limit, mine.window_seconds) if mine else default
        out.append(Limit(scope, limit, window, default, mine is not None))
    return out


def limit_for(organisation: Organisation, scope: str) -> Limit:
    return next(limit for limit in limits_for(organisation) if limit.scope == scope)


def window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def allow(request: HttpRequest, organisation: Organisation, scope: str) -> bool:
    """Count one submission from this request's client; False once past the limit (answer 429)."""
    rule = limit_for(organisation, scope)
    if rule.limit == 0:
        return True
    now = timezone.now()
    start = window_start(now, rule.window_seconds)
    client = lookup_hash(client_ip(request) or "unknown")
    key = {"organisation": organisation, "scope": scope, "client": client, "window_start": start}
    with transaction.atomic():
        if not ThrottleCount.objects.filter(**key).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    ThrottleCount.objects.create(**key, count=1)
            except IntegrityError:  # another process counted the first one
                ThrottleCount.objects.filter(**key).update(count=F("count") + 1)
        count = ThrottleCount.objects.filter(**key).values_list("count", flat=True).first() or 0
    if random.random() < 0.01:
        ThrottleCount.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    return count <= rule.limit


def retry_after(organisation: Organisation, scope: str) -> int:
    """Seconds until this scope's current window ends (the `Retry-After` of a 429)."""
    seconds = limit_for(organisation, scope).window_seconds
    return max(1, seconds - int(timezone.now().timestamp()) % seconds)


def throttled_clients(organisation: Organisation) -> dict[str, int]:
    """Per scope: clients past the limit in the current window."""
    now = timezone.now()
    out = {}
    for rule in limits_for(organisation):
        if rule.limit == 0:
            out[rule.scope] = 0
            continue
        out[rule.scope] = ThrottleCount.objects.filter(
            organisation=organisation,
            scope=rule.scope,
            window_start=window_start(now, rule.window_seconds),
            count__gt=rule.limit,
        ).count()
    return out


def do_set_limit(organisation: Organisation, scope: str, limit: int, window_seconds: int, by: User) -> None:
    ThrottleLimit.objects.update_or_create(
        organisation=organisation,
        scope=scope,
        defaults={"limit": limit, "window_seconds": window_seconds, "changed_by": by},
    )


def do_reset_limit(organisation: Organisation, scope: str) -> None:
    ThrottleLimit.objects.filter(organisation=organisation, scope=scope).delete()
