from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from sauti.ops import health


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with `{"ok": true, ...}` when healthy, else 503 with the same JSON naming the problems."""
    report = health.check()
    return JsonResponse(report, status=200 if report["ok"] else 503)
