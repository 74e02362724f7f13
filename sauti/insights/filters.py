"""Every filter the insights read from a query string or the command line, and the one FilterError.

Two vocabularies, both public contracts, are parsed here:
- the case filters of the map, the dashboard and the public map (`parse_filters`): `org`, `status` (repeated),
  `category`, `from`, `to`; the map's `county` stays a drill-down, not a filter;
- the report filters of exports, evidence bundles and `sauti reports export` (`filter_reports`): status,
  category, county, ward, settlement, date_from, date_to, channel, q (comma-separated lists; plain strings as
  they come from a query string or the command line).
and the map's own parameters (zoom, bbox, cell, a county or ward code).
Unknown values raise FilterError with a message for the user, so a typo never silently widens a figure or
an export.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.monitoring.models import Case, Category, Report, ReportChannel, Status
from sauti.people.models import Organisation

EARLIEST = date(1963, 1, 1)
MAX_ZOOM = 19
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
    """A filter value that cannot be understood; the message is for the user, `field` names the parameter
    (when a form should show the message beside it)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# Case filters: the map, the dashboard, the public map ----------------------------------------------


@dataclass(frozen=True)
class Filters:
    organisation: Organisation | None = None
    statuses: tuple[str, ...] = ()
    category: str = ""
    category_ids: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def apply(self, qs: QuerySet[Case], *, dates: bool = True) -> QuerySet[Case]:
        if self.organisation is not None:
            qs = qs.filter(organisation=self.organisation)
        if self.statuses:
            qs = qs.filter(status__in=self.statuses)
        if self.category:
            qs = qs.filter(category_id__in=self.category_ids)
        if dates:
            start, end = self.window()
            if start is not None:
                qs = qs.filter(created_at__gte=start)
            if end is not None:
                qs = qs.filter(created_at__lt=end)
        return qs

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The date range as aware datetimes: from the start of `date_from` to the end of `date_to`."""
        start = local_midnight(self.date_from) if self.date_from else None
        end = local_midnight(self.date_to + timedelta(days=1)) if self.date_to else None
        return start, end

    def params(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.organisation is not None:
            out.append(("org", self.organisation.slug))
        out.extend(("status", s) for s in self.statuses)
        if self.category:
            out.append(("category", self.category))
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        return out

    def query_string(self) -> str:
        return urlencode(self.params())


def _date_param(params: Mapping[str, Any], name: str, label: str) -> date | None:
    raw = str(params.get(name, "") or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw[:10]) if len(raw) <= 10 else None
    except ValueError:
        day = None
    if day is None:
        raise FilterError(_("%(field)s: give a date as YYYY-MM-DD.") % {"field": label})
    if day < EARLIEST:
        raise FilterError(_("%(field)s: the date is before 1963.") % {"field": label})
    return day


def parse_filters(params: Any, organisations: QuerySet[Organisation]) -> Filters:
    """Filters from GET parameters (a QueryDict); `organisations` are those the caller may choose from."""
    org = None
    slug = str(params.get("org", "") or "").strip()
    if slug:
        org = organisations.filter(slug=slug[:60]).first()
        if org is None:
            raise FilterError(_("Unknown organisation."))
    statuses = tuple(dict.fromkeys(s for s in params.getlist("status") if s))
    bad = [s for s in statuses if s not in Status.values]
    if bad:
        raise FilterError(_("Unknown status: %(value)s.") % {"value": bad[0][:40]})
    category = str(params.get("category", "") or "").strip().lower()
    category_ids: tuple[int, ...] = ()
    if category:
        scope = Category.objects.filter(organisation__in=[org] if org else organisations)
        category_ids = tuple(
            scope.filter(Q(key=category) | Q(parent__key=category)).values_list("pk", flat=True)
        )
        if not category_ids:
            raise FilterError(_("Unknown category: %(keys)s.") % {"keys": category[:40]})
    date_from = _date_param(params, "from", _("From"))
    date_to = _date_param(params, "to", _("To"))
    if date_from and date_from > timezone.localdate():
        raise FilterError(_("%(field)s: the date is in the future.") % {"field": _("From")})
    if date_from and date_to and date_from > date_to:
        raise FilterError(_("The start date is after the end date."))
    return Filters(org, statuses, category, category_ids, date_from, date_to)


def category_choices(organisations: QuerySet[Organisation]) -> list[tuple[str, str]]:
    """Top-level categories of these organisations as (key, label), in taxonomy order, one per key."""
    out: dict[str, str] = {}
    for cat in Category.objects.filter(organisation__in=organisations, parent=None).order_by(
        "position", "key", "organisation_id"
    ):
        out.setdefault(cat.key, cat.label)
    return list(out.items())


# Report filters: exports, evidence bundles, `sauti reports export` --------------------------------


def _values(raw: str) -> list[str]:
    return [v.strip() for v in raw.split(",") if v.strip()]


def _day(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FilterError(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": raw[:40]}, name
        ) from None


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
        qs = qs.filter(
            Q(occurred_on__gte=day) | Q(occurred_on__isnull=True, received_at__gte=local_midnight(day))
        )
    if raw := get("date_to"):
        day = _day(raw, "date_to")
        if (start := get("date_from")) and _day(start, "date_from") > day:
            raise FilterError(_("The start date is after the end date."), "date_to")
        qs = qs.filter(
            Q(occurred_on__lte=day)
            | Q(occurred_on__isnull=True, received_at__lt=local_midnight(day + timedelta(days=1)))
        )
    if raw := get("channel"):
        channels = _values(raw)
        unknown = [c for c in channels if c not in ReportChannel.values]
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


# The map's own parameters ------------------------------------------------------------------------


def parse_zoom(raw: str | None) -> int:
    try:
        zoom = int(str(raw).strip())
    except ValueError:
        raise FilterError(_("Zoom must be a whole number from 0 to %(max)d.") % {"max": MAX_ZOOM}) from None
    if not 0 <= zoom <= MAX_ZOOM:
        raise FilterError(_("Zoom must be a whole number from 0 to %(max)d.") % {"max": MAX_ZOOM})
    return zoom


@dataclass(frozen=True, slots=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


def parse_bbox(raw: str | None) -> BBox | None:
    """`west,south,east,north` in degrees (Leaflet's `toBBoxString()`), or None when not given."""
    if raw is None or not raw.strip():
        return None
    message = _("The map area (bbox) must be west,south,east,north in degrees, west < east, south < north.")
    parts = raw.split(",")
    if len(parts) != 4:
        raise FilterError(message)
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise FilterError(message) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise FilterError(message)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise FilterError(message)
    return BBox(west, south, east, north)


def parse_code(raw: str | None, label: str, valid: Collection[int]) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        code = int(raw.strip())
    except ValueError:
        code = None
    if code is None or code not in valid:
        raise FilterError(_("Unknown %(what)s: %(value)s.") % {"what": label, "value": raw.strip()[:20]})
    return code


def parse_cell(raw: str | None) -> tuple[int, int] | None:
    if raw is None or not raw.strip():
        return None
    try:
        row, col = (int(p) for p in raw.split(","))
    except ValueError:
        raise FilterError(_("The cell must be two whole numbers: row,column.")) from None
    if abs(row) > 10**8 or abs(col) > 10**8:
        raise FilterError(_("The cell must be two whole numbers: row,column."))
    return row, col
