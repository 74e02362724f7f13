"""Everything that creates or changes reports and cases. Each change to a case appends a CaseEvent."""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.messaging.actions import do_queue_sms
from sauti.monitoring import grouping
from sauti.monitoring.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    Precision,
    Report,
    Status,
    VerificationMethod,
)
from sauti.monitoring.reporters import note_reopened
from sauti.monitoring.rollups import apply_cases, recounting, recounting_cases, tally_cases
from sauti.monitoring.search import reports_matching as search_reports
from sauti.monitoring.taxonomy import seed as seed_taxonomy
from sauti.people.models import Contact, Office, Organisation, User
from sauti.people.redaction import redact_text
from sauti.places.geo import ward_at
from sauti.places.models import Constituency, County, Settlement, Ward
from sauti.places.services import (
    Area,
    PlaceCandidate,
    Resolution,
    candidate_key,
    find_places,
    resolve_place,
)

EARLIEST = date(1963, 1, 1)
# Case fields the report rollup counts under, and those the case rollup counts under (see monitoring.rollups).
COUNTED_CASE_FIELDS = frozenset({"organisation", "organisation_id", "category", "category_id", "status"})
COUNTED_CASE_PLACES = frozenset({"county", "county_id", "ward", "ward_id"})
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
# A typed place whose ward is not known contradicts a GPS point farther than this from its centre.
FAR_FROM_NAMED_KM = 3.0
# Magic numbers, so a renamed .exe is not accepted as a photo.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}


class ReportError(ValueError):
    """Bad input for a report, with a message for the person who sent it."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class TransitionError(ValueError):
    pass


@dataclass(frozen=True)
class KnownPlace:
    """A place the intake has already resolved: an SMS or USSD conversation read it in the message or asked
    the reporter which one (IEBC codes, the gazetteer's settlement id). The report is placed there as
    given; nothing is looked up again from the text. The most precise part places the report; a
    settlement that has no ward of its own keeps the ward given with it."""

    county_code: int | None = None
    constituency_code: int | None = None
    ward_code: int | None = None
    settlement_id: int | None = None


@dataclass
class ReportInput:
    description: str
    channel: str
    occurred_on: date | None = None
    place_text: str = ""
    lat: float | None = None
    lon: float | None = None
    category_keys: Sequence[str] = ()
    people_affected: int | None = None
    language: str = "sw"
    reporter: Contact | None = None
    external_id: str = ""
    submitted_by: User | None = None
    received_at: Any = None
    attachments: Sequence[UploadedFile] = field(default_factory=list)
    county_hint: int | None = None
    # The candidate the sender chose when the place was ambiguous (`candidate_key`, e.g. "ward:1447").
    place_key: str = ""
    # The place already resolved by the intake (a conversation): then `place_text` is only words.
    place: KnownPlace | None = None
    # The title of the case a new report opens, when the intake knows better than its text (a report form:
    # the category and the place rather than the form's title and first question).
    title: str = ""
    # Who chose `category_keys` (a `CategorySource` value; blank: not recorded).
    category_source: str = ""


def do_seed_taxonomy(org: Organisation) -> None:
    seed_taxonomy(Category, org)


def check_date(day: date | None) -> None:
    if day is None:
        return
    if day > timezone.localdate():
        raise ReportError(_("The date is in the future."), "occurred_on")
    if day < EARLIEST:
        raise ReportError(_("The date is before 1963; check the year."), "occurred_on")


def locate(
    place_text: str,
    lat: float | None,
    lon: float | None,
    county_hint: int | None = None,
    *,
    area: Area | None = None,
    place_key: str = "",
    known: KnownPlace | None = None,
) -> dict[str, Any]:
    """The most precise place we can tell from coordinates, a place the intake already resolved (`known`,
    taken as given), or the place as written, read in the light of the organisation's `area`. A name that
    stays ambiguous (two places inside the area, or none inside and two outside) places the report no
    further than what all its candidates share."""
    out: dict[str, Any] = {"precision": Precision.UNKNOWN, "lat": None, "lon": None}
    if (lat is None) != (lon is None):
        raise ReportError(_("Give both latitude and longitude, or neither."), "lat")
    if lat is not None and lon is not None:
        try:
            found = ward_at(lat, lon)
        except ValueError:
            raise ReportError(_("These coordinates are not valid."), "lat") from None
        if found is None:
            raise ReportError(_("These coordinates are outside Kenya."), "lat")
        out.update(lat=lat, lon=lon, precision=Precision.POINT, **_place_fields(found))
        if place_text:
            named = _best_place(place_text, found.county_code)
            if named and named.settlement_id and not _disagrees(named, found, lat, lon):
                out["settlement"] = Settlement.objects.filter(pk=named.settlement_id).first()
        return out
    located = _known_location(known) if known is not None else None
    if located is not None:
        return located
    if place_text:
        resolution = place_resolution(place_text, area, county_hint)
        best = resolution.place
        if place_key:
            # An explicit choice wins even when the name alone resolves (the API refuses a key the text
            # does not name before anything is stored: api.actions.check_place).
            keyed = [*resolution.choices, *find_places(place_text, limit=20, area=area)]
            best = next((c for c in keyed if candidate_key(c) == place_key), best)
        if best is not None:
            out.update(_place_fields(best))
            out["precision"] = {
                "settlement": Precision.SETTLEMENT,
                "ward": Precision.WARD,
                "constituency": Precision.CONSTITUENCY,
                "county": Precision.COUNTY,
            }[best.kind]
            if best.lat is not None and best.lon is not None:
                out["lat"], out["lon"] = best.lat, best.lon
        elif resolution.ambiguous and len({c.county_code for c in resolution.choices}) == 1:
            county = resolution.choices[0].county_code
            out["county"] = County.objects.filter(code=county).first() if county is not None else None
            out["precision"] = Precision.COUNTY
    return out


def _disagrees(named: PlaceCandidate, found: Any, lat: float, lon: float) -> bool:
    """Whether a typed place contradicts a GPS point (`found`: the point's ward, from `ward_at`): another
    county, another ward unless its centre is within `grouping.NEAR_KM` of the point (a point just over a
    ward boundary still agrees), or, its ward unknown (a village "ward not certain"), another constituency
    or a centre more than `FAR_FROM_NAMED_KM` away."""
    if named.county_code != found.county_code:
        return True
    km = (
        grouping.distance_km(lat, lon, named.lat, named.lon)
        if named.lat is not None and named.lon is not None
        else None
    )
    if km is not None and km <= grouping.NEAR_KM:
        return False
    if named.ward_code and found.ward_code:
        return bool(named.ward_code != found.ward_code)
    if (
        named.constituency_code
        and found.constituency_code
        and named.constituency_code != found.constituency_code
    ):
        return True
    return km is not None and km > FAR_FROM_NAMED_KM


def typed_place_disagrees(place_text: str, lat: float | None, lon: float | None) -> str:
    """The name of the typed place when a GPS point contradicts it (the point places the report; see
    `locate`), else ""."""
    if not place_text.strip() or lat is None or lon is None:
        return ""
    try:
        found = ward_at(lat, lon)
    except ValueError:
        return ""
    if found is None:
        return ""
    named = _best_place(place_text, found.county_code) or _best_place(place_text, None)
    if named is None or not _disagrees(named, found, lat, lon):
        return ""
    return named.name


def _known_location(known: KnownPlace) -> dict[str, Any] | None:
    """Where a resolved place puts a report: the fields `locate` gives for that gazetteer candidate (None
    when nothing is known)."""
    settlement = (
        Settlement.objects.select_related("county", "constituency", "ward__constituency")
        .filter(pk=known.settlement_id)
        .first()
        if known.settlement_id is not None
        else None
    )
    ward = (
        Ward.objects.select_related("constituency", "county").filter(code=known.ward_code).first()
        if known.ward_code is not None
        else None
    )
    constituency = (
        Constituency.objects.select_related("county").filter(code=known.constituency_code).first()
        if known.constituency_code is not None
        else None
    )
    county = County.objects.filter(code=known.county_code).first() if known.county_code is not None else None
    point: Settlement | Ward | Constituency | County
    located: dict[str, Any]
    if settlement is not None:
        ward_given_fits = (
            ward is not None
            and ward.county_id == settlement.county_id
            and settlement.constituency_id in (None, ward.constituency_id)
        )
        if settlement.ward is not None or not ward_given_fits:
            ward = settlement.ward
        within = settlement.constituency or (ward.constituency if ward is not None else None)
        located = {
            "county": settlement.county,
            "constituency": within,
            "ward": ward,
            "settlement": settlement,
        }
        located["precision"], point = Precision.SETTLEMENT, settlement
    elif ward is not None:
        located = {"county": ward.county, "constituency": ward.constituency, "ward": ward, "settlement": None}
        located["precision"], point = Precision.WARD, ward
    elif constituency is not None:
        located = {
            "county": constituency.county,
            "constituency": constituency,
            "ward": None,
            "settlement": None,
        }
        located["precision"], point = Precision.CONSTITUENCY, constituency
    elif county is not None:
        located = {"county": county, "constituency": None, "ward": None, "settlement": None}
        located["precision"], point = Precision.COUNTY, county
    else:
        return None
    located["lat"], located["lon"] = (
        (point.lat, point.lon) if point.lat is not None and point.lon is not None else (None, None)
    )
    return located


def place_resolution(text: str, area: Area | None, county_hint: int | None = None) -> Resolution:
    """What a typed place means for an organisation working in `area`: one place, or candidates to ask
    about. A hinted county (the form's picker, the API's `county`) narrows it first."""
    if not text.strip():
        return Resolution()
    return resolve_place(text, area, county_code=county_hint)


def _best_place(text: str, county_hint: int | None) -> PlaceCandidate | None:
    candidates = find_places(text, limit=5, county_code=county_hint)
    if not candidates or candidates[0].score < 0.8:
        return None
    return candidates[0]


def _place_fields(c: PlaceCandidate) -> dict[str, Any]:
    return {
        "county": County.objects.filter(code=c.county_code).first() if c.county_code else None,
        "constituency": Constituency.objects.filter(code=c.constituency_code).first()
        if c.constituency_code
        else None,
        "ward": Ward.objects.filter(code=c.ward_code).first() if c.ward_code else None,
        "settlement": Settlement.objects.filter(pk=c.settlement_id).first() if c.settlement_id else None,
    }


def categories_for(org: Organisation, keys: Sequence[str]) -> list[Category]:
    wanted = [k.strip().lower() for k in keys if k.strip()]
    found = {c.key: c for c in Category.objects.filter(organisation=org, key__in=wanted, is_active=True)}
    unknown = [k for k in wanted if k not in found]
    if unknown:
        raise ReportError(_("Unknown category: %(keys)s.") % {"keys": ", ".join(unknown)}, "categories")
    return [found[k] for k in wanted]


def sniff_upload(upload: UploadedFile) -> tuple[bytes, str]:
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ReportError(_("“%(name)s” is larger than 10 MB.") % {"name": upload.name}, "attachments")
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ReportError(_("“%(name)s” is larger than 10 MB.") % {"name": upload.name}, "attachments")
    for content_type, magics in SIGNATURES.items():
        if any(data.startswith(m) for m in magics) and (
            content_type != "image/webp" or data[8:12] == b"WEBP"
        ):
            return data, content_type
    raise ReportError(
        _("“%(name)s” is not a photo (JPEG, PNG, WebP) or a PDF.") % {"name": upload.name}, "attachments"
    )


def strip_exif(data: bytes, content_type: str) -> bytes | None:
    """A copy of an image without its metadata (GPS position, camera, time); None for non-images."""
    if not content_type.startswith("image/"):
        return None
    from PIL import Image, UnidentifiedImageError

    too_large = ReportError(
        _("The image is too large: at most %(mp)d megapixels.")
        % {"mp": settings.SAUTI_MAX_IMAGE_PIXELS // 1_000_000},
        "attachments",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked below
            opened = Image.open(io.BytesIO(data))  # reads the header only: nothing decoded yet
        with opened as image:
            width, height = image.size
            if width * height > settings.SAUTI_MAX_IMAGE_PIXELS:
                # A small file can claim a huge picture (a 419 KB PNG of 12000×12000 took 9.6 s and
                # ~860 MB to decode): refused from its header (issue 13).
                raise too_large
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            out = io.BytesIO()
            clean.save(out, format=image.format or "PNG")
    except ReportError:
        raise
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ReportError(_("The image could not be read; it may be damaged."), "attachments") from None
    return out.getvalue()


def _attach(report: Report, uploads: Sequence[UploadedFile]) -> None:
    if len(uploads) > MAX_ATTACHMENTS:
        raise ReportError(_("At most %(n)d files per report.") % {"n": MAX_ATTACHMENTS}, "attachments")
    # Check every file before writing any, so that a refused report leaves no file behind.
    checked = [(upload, *sniff_upload(upload)) for upload in uploads]
    public_copies = [strip_exif(data, content_type) for _upload, data, content_type in checked]
    for (upload, data, content_type), public in zip(checked, public_copies, strict=True):
        digest = hashlib.sha256(data).hexdigest()
        attachment = Attachment(
            report=report,
            original_name=(upload.name or "file")[:200],
            content_type=content_type,
            size=len(data),
            sha256=digest,
        )
        attachment.file.save(digest, ContentFile(data), save=False)
        if public is not None:
            attachment.public_file.save(
                f"{digest}.{content_type.split('/')[1]}", ContentFile(public), save=False
            )
        attachment.save()


@transaction.atomic
def do_submit_report(org: Organisation, inp: ReportInput) -> Report:
    """Store a report, then place it in the most likely open case (or a new one) for a coordinator to confirm.

    Idempotent on (organisation, channel, external_id): a retried submission returns the stored report.
    """
    if inp.external_id:
        existing = Report.objects.filter(
            organisation=org, channel=inp.channel, external_id=inp.external_id
        ).first()
        if existing is not None:
            return existing
    description = inp.description.strip()
    if not description:
        raise ReportError(_("Say what happened."), "description")
    check_date(inp.occurred_on)
    if inp.people_affected is not None and not 0 <= inp.people_affected <= 10_000_000:
        raise ReportError(_("The number of people affected is not plausible."), "people_affected")
    categories = categories_for(org, inp.category_keys)
    location = locate(
        inp.place_text,
        inp.lat,
        inp.lon,
        inp.county_hint,
        area=org.operating_area(),
        place_key=inp.place_key,
        known=inp.place,
    )
    report = Report.objects.create(
        organisation=org,
        description=description[:5000],
        occurred_on=inp.occurred_on,
        received_at=inp.received_at or timezone.now(),
        place_text=inp.place_text[:200],
        people_affected=inp.people_affected,
        category_source=inp.category_source if categories else "",
        channel=inp.channel,
        language=inp.language,
        reporter=inp.reporter,
        external_id=inp.external_id,
        submitted_by=inp.submitted_by,
        **location,
    )
    report.categories.set(categories)
    _attach(report, inp.attachments)
    with recounting(Report.objects.filter(pk=report.pk)):
        _place_in_case(report, categories, inp.title)
    return report


def _facts_for_report(report: Report, keys: frozenset[str]) -> grouping.Facts:
    return grouping.Facts(
        category_keys=keys,
        ward_code=report.ward.code if report.ward else None,
        settlement_id=report.settlement_id,
        parent_settlement_id=report.settlement.parent_id if report.settlement else None,
        county_code=report.county.code if report.county else None,
        # Only a mapped point (GPS) says where; a point taken from a place name is that place's centre.
        lat=report.lat if report.precision == Precision.POINT else None,
        lon=report.lon if report.precision == Precision.POINT else None,
        day=report.occurred_on or report.received_at.date(),
        text=report.description,
    )


def _recent_descriptions(cases: list[Case], per_case: int = 5) -> dict[int, list[str]]:
    """The newest few report texts of each case, in one query rather than one per case."""
    out: dict[int, list[str]] = {c.pk: [] for c in cases}
    rows = Report.objects.filter(case__in=out).order_by("case_id", "-received_at", "-id")
    for case_id, description in rows.values_list("case_id", "description"):
        texts = out[case_id]
        if len(texts) < per_case:
            texts.append(description[:300])
    return out


def _facts_for_case(case: Case, descriptions: list[str]) -> grouping.Facts:
    keys = frozenset({case.category.top_key} if case.category else set())
    texts = "\n".join(descriptions)
    return grouping.Facts(
        category_keys=keys,
        ward_code=case.ward.code if case.ward else None,
        settlement_id=case.settlement_id,
        parent_settlement_id=case.settlement.parent_id if case.settlement else None,
        county_code=case.county.code if case.county else None,
        lat=case.lat if case.precision == Precision.POINT else None,
        lon=case.lon if case.precision == Precision.POINT else None,
        day=case.occurred_to or case.created_at.date(),
        text=f"{case.title}\n{texts}",
    )


def suggest_cases(report: Report, limit: int = 5) -> list[tuple[Case, float]]:
    return [(case, m.score) for case, m in suggest_matches(report, limit)]


def suggest_matches(report: Report, limit: int = 5) -> list[tuple[Case, grouping.Match]]:
    """Open cases the report may describe the same event as (see `grouping`), best first, with why."""
    keys = frozenset(c.top_key for c in report.categories.select_related("parent"))
    day = report.occurred_on or report.received_at.date()
    window = timedelta(days=grouping.WINDOW_DAYS)
    candidates = Case.objects.filter(organisation=report.organisation).exclude(
        status__in=[Status.REJECTED, Status.RESOLVED]
    )
    if report.case_id:
        candidates = candidates.exclude(pk=report.case_id)
    near = Q()
    if report.ward_id:
        near |= Q(ward_id=report.ward_id)
    if report.settlement_id:
        near |= Q(settlement_id=report.settlement_id)
        parent = report.settlement.parent_id if report.settlement else None
        near |= Q(settlement__parent_id=report.settlement_id)
        if parent:
            near |= Q(settlement_id=parent) | Q(settlement__parent_id=parent)
    if report.lat is not None and report.lon is not None:
        near |= Q(
            lat__range=(report.lat - 0.01, report.lat + 0.01),
            lon__range=(report.lon - 0.01, report.lon + 0.01),
        )
    if not near:
        return []
    candidates = candidates.filter(near).filter(
        Q(occurred_to__gte=day - window) | Q(occurred_to__isnull=True, created_at__date__gte=day - window)
    )
    facts = _facts_for_report(report, keys)
    nearby = list(
        candidates.select_related("category__parent", "ward", "county", "settlement").order_by("-updated_at")[
            :50
        ]
    )
    descriptions = _recent_descriptions(nearby)
    found = [(case, grouping.match(facts, _facts_for_case(case, descriptions[case.pk]))) for case in nearby]
    matched = [(c, m) for c, m in found if m is not None]
    matched.sort(key=lambda cm: (-cm[1].score, -cm[0].pk))
    return matched[:limit]


def move_candidates(
    report: Report, visible: Any, words: str = "", place_text: str = "", limit: int = 20
) -> list[tuple[Case, grouping.Match | None]]:
    """Cases a report could be moved to, among `visible` (the cases the user may change) matching the words
    (title or a report's text) and the place: first the likely ones, those grouping judges to be the same
    event over `MOVE_WINDOW_DAYS` (with why), best first; then the others, the report's own ward and
    settlement first, then those of the report's category, then the most recently active."""
    cases = (
        visible.filter(organisation=report.organisation)
        .exclude(pk=report.case_id)
        .exclude(status__in=[Status.REJECTED])
    )
    words = words.strip()[:200]
    if words:
        from_reports = Report.objects.filter(pk__in=search_reports(words).values("pk")).values("case_id")
        cases = cases.filter(Q(title__icontains=words) | Q(pk__in=from_reports))
    if place_text.strip():
        found = place_resolution(place_text, report.organisation.operating_area())
        spots = found.choices or ()
        if not spots:
            return []
        near = Q()
        for spot in spots:
            if spot.settlement_id:
                near |= Q(settlement_id=spot.settlement_id) | Q(settlement__parent_id=spot.settlement_id)
            if spot.ward_code:
                near |= Q(ward__code=spot.ward_code)
            elif spot.constituency_code:
                near |= Q(constituency__code=spot.constituency_code)
            elif spot.county_code:
                near |= Q(county__code=spot.county_code)
        cases = cases.filter(near)
    closeness = Q(ward_id=report.ward_id) if report.ward_id else Q(pk__in=[])
    if report.settlement_id:
        closeness |= Q(settlement_id=report.settlement_id)
    keys = frozenset(c.top_key for c in report.categories.select_related("parent"))
    same_category = Q(category__key__in=keys) | Q(category__parent__key__in=keys) if keys else Q(pk__in=[])
    pool = list(
        cases.annotate(close=Count("pk", filter=closeness), alike=Count("pk", filter=same_category))
        .select_related("category__parent", "ward", "county", "settlement")
        .order_by("-close", "-alike", "-updated_at", "-pk")[: max(limit, 60)]
    )
    facts = _facts_for_report(report, keys)
    descriptions = _recent_descriptions(pool)
    likely: list[tuple[Case, grouping.Match]] = []
    others: list[tuple[Case, grouping.Match | None]] = []
    for case in pool:
        found_match = (
            None
            if case.status == Status.RESOLVED
            else grouping.match(
                facts, _facts_for_case(case, descriptions[case.pk]), window_days=grouping.MOVE_WINDOW_DAYS
            )
        )
        if found_match is not None:
            likely.append((case, found_match))
        else:
            others.append((case, None))
    likely.sort(key=lambda cm: (-cm[1].score, -cm[0].pk))
    return [*likely, *others][:limit]


def why_in_case(report: Report) -> grouping.Match | None:
    """Why the report is in its case, as grouping sees it now (None: it would not be put there): against
    the case, else against the closest of the case's other reports (a case that has grown since has moved
    its time window away from the report that matched)."""
    case = report.case
    if case is None:
        return None
    keys = frozenset(c.top_key for c in report.categories.select_related("parent"))
    facts = _facts_for_report(report, keys)
    texts = _recent_descriptions([case]).get(case.pk, [])
    found = grouping.match(facts, _facts_for_case(case, texts))
    if found is not None:
        return found
    others = case.reports.exclude(pk=report.pk).select_related("ward", "county", "settlement")
    matches = []
    for other in others.prefetch_related("categories__parent")[:50]:
        other_keys = frozenset(c.top_key for c in other.categories.all())
        m = grouping.match(facts, _facts_for_report(other, other_keys))
        if m is not None:
            matches.append(m)
    return max(matches, key=lambda m: m.score) if matches else None


def why_grouped(reports: list[Report]) -> dict[int, grouping.Match]:
    """Why Sauti put each report in its case, as it judged when it did (the stored REPORT_ADDED event),
    by report id; reports it did not put there (moved by hand, opened the case) are left out."""
    out: dict[int, grouping.Match] = {}
    cases = {r.pk: r.case_id for r in reports}
    events = CaseEvent.objects.filter(
        kind=CaseEvent.Kind.REPORT_ADDED, actor__isnull=True, report_id__in=list(cases)
    ).order_by("pk")
    for report_id, case_id, data in events.values_list("report_id", "case_id", "data"):
        why = data.get("why") if isinstance(data, dict) else None
        if case_id != cases.get(report_id) or not isinstance(why, dict):
            continue
        if why.get("place") in ("settlement", "ward", "near"):
            out[report_id] = grouping.Match(
                why["place"],
                why.get("days"),
                why.get("category"),
                why.get("km"),
                float(data.get("score") or 0),
            )
    return out


def _place_in_case(report: Report, categories: list[Category], title_hint: str = "") -> None:
    suggestions = suggest_matches(report, limit=1)
    if suggestions:
        case, found = suggestions[0]
        report.case, report.grouping_score = case, found.score
        report.save(update_fields=["case", "grouping_score"])
        why = {"place": found.place, "days": found.days, "category": found.category, "km": found.km}
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.REPORT_ADDED,
            report=report,
            data={"score": found.score, "why": why},
        )
    else:
        case = _new_case_for(report, categories, title_hint)
        report.case, report.grouping_confirmed = case, True
        report.save(update_fields=["case", "grouping_confirmed"])
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CREATED, report=report, to_status=Status.NEW)
    refresh_case(case)


def _new_case_for(report: Report, categories: list[Category], title_hint: str = "") -> Case:
    top = (
        categories[0].parent
        if categories and categories[0].parent
        else (categories[0] if categories else None)
    )
    # A title made from the text never carries the names or numbers in it (issue 14); an intake's title is
    # made of what it knows is not a person (a category and a place), which redaction would mistake for names.
    title = " ".join((title_hint or redact_text(report.organisation_id, report.description).text).split())
    case = Case.objects.create(
        organisation=report.organisation,
        title=title[:80] + ("…" if len(title) > 80 else ""),
        category=top,
        county=report.county,
        constituency=report.constituency,
        ward=report.ward,
        settlement=report.settlement,
        lat=report.lat,
        lon=report.lon,
        precision=report.precision,
        created_at=report.received_at,
        updated_at=report.received_at,
    )
    apply_cases(tally_cases(Case.objects.filter(pk=case.pk)))
    return case


def refresh_case(case: Case) -> None:
    """Recompute what a case derives from its reports."""
    agg = case.reports.aggregate(
        count=Count("id"),
        first=Min("occurred_on"),
        last=Max("occurred_on"),
        people=Max("people_affected"),
        received=Max("received_at"),
    )
    case.report_count = agg["count"]
    case.occurred_from, case.occurred_to = agg["first"], agg["last"]
    case.people_affected = agg["people"]
    case.updated_at = max(filter(None, [agg["received"], timezone.now()]))
    with recounting_cases(Case.objects.filter(pk=case.pk)):
        case.save(
            update_fields=["report_count", "occurred_from", "occurred_to", "people_affected", "updated_at"]
        )


@transaction.atomic
def do_confirm_grouping(report: Report, by: User) -> None:
    if report.grouping_confirmed or report.case is None:
        return
    report.grouping_confirmed = True
    report.save(update_fields=["grouping_confirmed"])
    CaseEvent.objects.create(
        case=report.case, kind=CaseEvent.Kind.GROUPING_CONFIRMED, report=report, actor=by
    )


@transaction.atomic
def do_split_report(report: Report, by: User, reason: str = "") -> Case:
    """Take a report out of its case into a new case of its own."""
    old = report.case
    case = _new_case_for(report, list(report.categories.select_related("parent")))
    with recounting(Report.objects.filter(pk=report.pk)):
        report.case, report.grouping_confirmed, report.grouping_score = case, True, None
        report.save(update_fields=["case", "grouping_confirmed", "grouping_score"])
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.CREATED, report=report, actor=by, to_status=Status.NEW
    )
    if old is not None:
        CaseEvent.objects.create(
            case=old,
            kind=CaseEvent.Kind.REPORT_SPLIT,
            report=report,
            actor=by,
            reason=reason,
            data={"to": case.pk},
        )
        refresh_case(old)
    refresh_case(case)
    return case


@transaction.atomic
def do_move_report(report: Report, case: Case, by: User) -> None:
    """Put a report into another case (a coordinator's manual grouping)."""
    if case.organisation_id != report.organisation_id:
        raise TransitionError("report and case belong to different organisations")
    old = report.case
    with recounting(Report.objects.filter(pk=report.pk)):
        report.case, report.grouping_confirmed = case, True
        report.save(update_fields=["case", "grouping_confirmed"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.REPORT_ADDED,
        report=report,
        actor=by,
        data={"from": old.pk if old else None},
    )
    refresh_case(case)
    if old is not None and old.pk != case.pk:
        CaseEvent.objects.create(
            case=old, kind=CaseEvent.Kind.REPORT_SPLIT, report=report, actor=by, data={"to": case.pk}
        )
        refresh_case(old)


@transaction.atomic
def do_transition(
    case: Case,
    to_status: str,
    by: User,
    *,
    reason: str = "",
    method: str = "",
    referred_to: Office | None = None,
    inform: bool | None = None,
) -> CaseEvent:
    """Move a case along its lifecycle, recording who, when and why.

    Reporters hear back (issue 15): a move to verified, referred, resolved or rejected sends each reporter
    who can be reached by SMS the new status in their language, through the outbox (opt-out and consent
    respected). `inform=False` holds it; sensitive cases are held unless `inform=True`."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_status not in Status.values or not case.can_move_to(to_status):
        raise TransitionError(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": case.get_status_display(), "to": dict(Status.choices).get(to_status, to_status)}
        )
    if to_status == Status.VERIFIED and method not in VerificationMethod.values:
        raise TransitionError(_("Say how the case was verified."))
    if to_status == Status.REJECTED and not reason.strip():
        raise TransitionError(_("Give a reason for rejecting the case."))
    if to_status == Status.REFERRED and referred_to is None and not reason.strip():
        raise TransitionError(_("Say to whom the case was referred."))
    from_status = case.status
    case.status = to_status
    fields = ["status", "updated_at"]
    if to_status == Status.VERIFIED:
        case.verification_method = method
        fields.append("verification_method")
    if to_status == Status.REJECTED:
        case.rejection_reason = reason.strip()[:240]
        fields.append("rejection_reason")
    if to_status == Status.REFERRED:
        case.referred_to = referred_to
        fields.append("referred_to")
    case.updated_at = timezone.now()
    with recounting(Report.objects.filter(case=case)), recounting_cases(Case.objects.filter(pk=case.pk)):
        case.save(update_fields=fields)
    tell = to_status in TELL_REPORTERS and (inform if inform is not None else not case.is_sensitive)
    data: dict[str, Any] = {"method": method, "referred_to": referred_to.pk if referred_to else None}
    if to_status == Status.RESOLVED:
        data["informed"] = tell  # a held resolution is not followed by "Is it fixed?" (reporters.py)
    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        from_status=from_status,
        to_status=to_status,
        actor=by,
        reason=reason.strip(),
        data=data,
    )
    if from_status == Status.RESOLVED:
        note_reopened(case, by)
    if tell:
        _tell_reporters(case, by)
    return event


# Moves a reporter hears about without anyone pressing a button (issue 15).
TELL_REPORTERS = (Status.VERIFIED, Status.REFERRED, Status.RESOLVED, Status.REJECTED)


@transaction.atomic
def do_edit_case(case: Case, by: User, **changes: Any) -> CaseEvent | None:
    before = {k: getattr(case, k) for k in changes}
    diff = {k: [str(before[k]), str(v)] for k, v in changes.items() if before[k] != v}
    if not diff:
        return None
    for k, v in changes.items():
        setattr(case, k, v)
    case.updated_at = timezone.now()
    counted = (
        Report.objects.filter(case=case) if COUNTED_CASE_FIELDS & set(changes) else Report.objects.none()
    )
    counted_case = (
        Case.objects.filter(pk=case.pk)
        if (COUNTED_CASE_FIELDS | COUNTED_CASE_PLACES) & set(changes)
        else Case.objects.none()
    )
    with recounting(counted), recounting_cases(counted_case):
        case.save(update_fields=[*changes, "updated_at"])
    return CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.EDITED, actor=by, data={"changes": diff})


def do_add_note(case: Case, by: User, text: str) -> CaseEvent:
    if not text.strip():
        raise TransitionError(_("The note is empty."))
    return CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.NOTE, actor=by, reason=text.strip()[:4000])


def do_inform_reporters(case: Case, by: User) -> int:
    """Send each reporter of the case who can be reached by SMS its current status, in their language.

    Goes through the outbox, which refuses numbers that opted out or withdrew consent. The timeline records
    how many were informed, never who."""
    sent = _tell_reporters(case, by, record_none=True)
    if sent is None:
        raise TransitionError(_("No reporter of this case can be reached by SMS."))
    return sent


def _tell_reporters(case: Case, by: User, *, record_none: bool = False) -> int | None:
    """The SMS of do_inform_reporters; None when no reporter has a phone (nothing recorded then). The
    timeline notes the send; an automatic one that reached nobody (`record_none` False) is not noted."""
    from django.utils import translation

    refs: dict[int, list[str]] = {}
    contacts: dict[int, Contact] = {}
    for report in case.reports.select_related("reporter").filter(reporter__isnull=False).order_by("pk"):
        assert report.reporter is not None
        if report.reporter.phone_hash:
            contacts[report.reporter.pk] = report.reporter
            refs.setdefault(report.reporter.pk, []).append(report.reference)
    if not contacts:
        return None
    sent = 0
    for pk, contact in contacts.items():
        with translation.override(contact.language or "sw"):
            text = _("Sauti: your report %(refs)s is now: %(status)s. Send HALI %(ref)s to check again.") % {
                "refs": ", ".join(refs[pk]),
                "status": case.get_status_display(),
                "ref": refs[pk][0],
            }
        if do_queue_sms(case.organisation, to_contact=contact, text=text, purpose="case-status") is not None:
            sent += 1
    if not sent and not record_none:
        return 0
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.MESSAGE,
        actor=by,
        reason=_("Status sent by SMS to %(sent)d of %(total)d reporters.")
        % {"sent": sent, "total": len(contacts)},
    )
    return sent
