"""The report filter shared by exports (and meant for the inbox): plain query parameters -> a QuerySet.

Parameters (all optional, all strings as they come from a query string or the command line):
status, category, county, ward, settlement, date_from, date_to, channel, q.
Unknown values raise FilterError with a message for the user, so a typo never silently widens an export.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.monitoring.models import Category, Channel, Report, Status

FILTER_KEYS = (
    "status",
    "category",
    "county",
    "ward",
    "settlement",
    "date_from",
    "date_to",
    "channel",
    "q",
)
MAX_TEXT = 200


class FilterError(ValueError):
    """A filter value that cannot be understood, with a message for the user."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _values(raw: str) -> list[str]:
    return [v.strip() for v in raw.split(",") if v.strip()]


def _day(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FilterError(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": raw[:40]}, name
        ) from None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _place(raw: str, field: str) -> Q:
    """A place by IEBC code (county, ward), by id (settlement) or by exact name; several comma-separated."""
    q = Q()
    for value in _values(raw):
        key = "pk" if field == "settlement" else "code"
        q |= (
            Q(**{f"{field}__{key}": int(value)})
            if value.isdigit()
            else Q(**{f"{field}__name__iexact": value})
        )
    return q


def filter_reports(qs: QuerySet[Report], params: Mapping[str, str]) -> QuerySet[Report]:
    """Narrow `qs` by the inbox filters; empty values are ignored. Raises FilterError on a bad value."""

    def get(name: str) -> str:
        value = params.get(name) or ""
        return value.strip() if isinstance(value, str) else ""

    if raw := get("status"):
        statuses = _values(raw)
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise FilterError(_("Unknown status: %(value)s.") % {"value": ", ".join(unknown)[:80]}, "status")
        qs = qs.filter(case__status__in=statuses)
    if raw := get("category"):
        keys = [k.lower() for k in _values(raw)]
        known = set(Category.objects.filter(key__in=keys).values_list("key", flat=True))
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise FilterError(
                _("Unknown category: %(keys)s.") % {"keys": ", ".join(unknown)[:80]}, "category"
            )
        # A top-level key also matches its sub-categories ("water" finds "water-disconnection").
        through = Report.categories.through.objects.filter(report_id=OuterRef("pk")).filter(
            Q(category__key__in=keys) | Q(category__parent__key__in=keys)
        )
        qs = qs.filter(Exists(through))
    for field in ("county", "ward", "settlement"):
        if raw := get(field):
            qs = qs.filter(_place(raw, field))
    if raw := get("date_from"):
        day = _day(raw, "date_from")
        qs = qs.filter(Q(occurred_on__gte=day) | Q(occurred_on__isnull=True, received_at__gte=_start_of(day)))
    if raw := get("date_to"):
        day = _day(raw, "date_to")
        if (start := get("date_from")) and _day(start, "date_from") > day:
            raise FilterError(_("The start date is after the end date."), "date_to")
        qs = qs.filter(
            Q(occurred_on__lte=day)
            | Q(occurred_on__isnull=True, received_at__lt=_start_of(day + timedelta(days=1)))
        )
    if raw := get("channel"):
        channels = _values(raw)
        unknown = [c for c in channels if c not in Channel.values]
        if unknown:
            raise FilterError(
                _("Unknown channel: %(value)s.") % {"value": ", ".join(unknown)[:80]}, "channel"
            )
        qs = qs.filter(channel__in=channels)
    if raw := get("q"):
        text = raw[:MAX_TEXT]
        qs = qs.filter(Q(description__icontains=text) | Q(place_text__icontains=text))
    return qs


def active_filters(params: Mapping[str, str]) -> dict[str, str]:
    """The filter parameters that are set, for links and export file headers."""
    out = {}
    for key in FILTER_KEYS:
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            out[key] = value.strip()
    return out
