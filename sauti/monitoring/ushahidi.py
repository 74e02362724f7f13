"""Import a Ushahidi (v2) CSV export: each incident becomes a report on the "import" channel.

Decisions, so nothing happens silently:
- Idempotent: the external id is ``ushahidi:<incident id>``; an incident already imported is counted as such.
- All-or-nothing per row: a row that cannot be imported (no id, no text, date missing or impossible) is rolled
  back and listed with its reason; the other rows import.
- Categories: Ushahidi's comma-separated labels ("2b. Penurie d'eau | Water shortage") are mapped to the
  taxonomy's keys with CATEGORY_MAP (English or French part, the organisation's own keys and names also
  work). Generic labels ("Emergency", "Other") give way to any specific one. A label without a match files
  the report under "other" and is listed.
- Places: coordinates inside Kenya place the report (plus the LOCATION text for a settlement). Coordinates
  outside Kenya are not stored (Sauti's map is Kenya's): the report keeps the LOCATION text as written, gets
  no place, and the case timeline records the coordinates as reported. Without coordinates the LOCATION text
  is matched against the gazetteer. "0,0" means "no coordinates" in Ushahidi.
- Flags: APPROVED=YES moves the new case to "triaged" (a Ushahidi moderator accepted it); VERIFIED=YES moves
  it on to "verified" (method: second independent source, reason "imported as verified from Ushahidi").
  Transitions go through `do_transition` as the importing user, or as the inactive system user
  ``sauti-system`` when the command line gives no ``--user``. A case that the report only joined by
  suggestion (grouping not confirmed) is left as it is.
- Dates: INCIDENT DATE (DD/MM/YYYY HH:MM, or ISO) is when it happened and also the report's received time,
  read in Sauti's time zone.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.audit import audit
from sauti.audit.models import Action
from sauti.monitoring import rollups
from sauti.monitoring.actions import (
    ReportError,
    ReportInput,
    TransitionError,
    categories_for,
    check_date,
    do_add_note,
    do_submit_report,
    do_transition,
    locate,
)
from sauti.monitoring.models import (
    Case,
    CaseEvent,
    Category,
    Precision,
    Report,
    ReportChannel,
    Status,
    VerificationMethod,
)
from sauti.people.models import Organisation, User
from sauti.people.redaction import Redactor, redact_text
from sauti.places.services import PlaceCandidate, ward_at

SOURCE_PREFIX = "ushahidi:"
SYSTEM_USERNAME = "sauti-system"
PROGRESS_EVERY = 500
BATCH = 500

HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("#", "serial", "id", "incident id", "incident_id", "incidentid"),
    "title": ("incident title", "title", "incident_title"),
    "date": ("incident date", "date", "incident_date"),
    "location": ("location", "location name", "location_name"),
    "description": ("description", "incident description"),
    "category": ("category", "categories"),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon", "lng", "long"),
    "approved": ("approved", "active"),
    "verified": ("verified",),
    # Platform only (filled by read_rows)
    "survey": (),
    "status": (),
    "created": (),
    "extras": (),
    "utc": (),
}
_HEADER_LOOKUP = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
# The Platform's native columns (v3 and later; see _v3_columns). Its date is the post date, else created.
V3_HEADERS: dict[str, str] = {
    "post id": "id",
    "survey": "survey",
    "post status": "status",
    "post date (utc)": "date",
    "created (utc)": "created",
    "updated (utc)": "",
    "contact id": "",
    "contact": "",
    "sets": "",
    "completed stages": "",
}
V3_EXTRA = "extra"
REQUIRED = ("id", "date")
DATE_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)
_YES = {"yes", "y", "1", "true", "ndio", "ndiyo", "oui"}

# Ushahidi labels (normalised: lower case, no accents, no leading "2b.") -> taxonomy key.
# The Haiti 2010 deployment's labels (English and French parts) and the Kenya 2008 deployment's set.
CATEGORY_MAP: dict[str, str] = {
    # generic parents: mapped to "other", dropped when a row has a more specific label
    "emergency": "other", "urgences": "other", "vital lines": "other", "urgences logistiques": "other",
    "natural hazards": "environment", "services available": "other", "secours": "other",
    "other": "other", "autre": "other", "highly vulnerable": "other",
    # health
    "medical emergency": "health", "urgence medicale": "health", "public health": "health",
    "infectious human disease": "health", "chronic care needs": "health",
    "medical equipment and supply needs": "health-drugs", "besoins en materiels et medicaments": "health-drugs",
    "obgyn/women's health": "health", "psychiatric need": "health",
    "hospital/clinics operating": "health-facility", "services de sante": "health-facility",
    "human remains management": "health", "morgue": "health", "medical emergencies": "health",
    "health": "health",
    # housing and shelter
    "people trapped": "housing", "personnes prises au piege": "housing", "fire": "housing",
    "incendie": "housing", "shelter needed": "housing", "refuge": "housing",
    "collapsed structure": "housing", "structure effondres": "housing",
    "unstable structure": "housing-conditions", "structures a risque": "housing-conditions",
    "idp concentration": "housing", "internally displaced people": "housing",
    # water and sanitation
    "water shortage": "water", "penurie d'eau": "water", "eau": "water",
    "contaminated water": "water-quality", "eau contaminee": "water-quality",
    "water distribution point": "water", "distribution d'eau": "water",
    "water sanitation and hygiene promotion": "sanitation", "assainissement eau et hygiene": "sanitation",
    "rubble removal": "sanitation-garbage", "deblayage de gravats": "sanitation-garbage",
    # security
    "security threats": "security", "menaces": "security", "security concern": "security",
    "probleme de securite": "security", "looting": "security-crime", "pillage": "security-crime",
    "group violence": "security", "riots": "security", "deaths": "security", "deces": "security",
    "government forces": "security-police-abuse", "civilians": "security",
    "missing persons": "security", "personnes disparues": "security",
    "sexual assault": "gbv", "property loss": "land",
    # public infrastructure
    "infrastructure damage": "public-projects", "road blocked": "public-projects",
    "route barree": "public-projects", "compromised bridge": "public-projects",
    "communication lines down": "public-projects", "power outage": "public-projects",
    "sans courant": "public-projects",
    # environment
    "earthquake and aftershocks": "environment", "seisme et repliques": "environment",
    # no ESC category of their own
    "food shortage": "other", "penurie d'aliments": "other", "fuel shortage": "other",
    "penurie de carburant": "other", "food distribution point": "other", "distribution d'aliments": "other",
    "non-food aid distribution point": "other", "denrees non alimentaires": "other",
    "asking to forward a message": "other", "demandant de transmettre un message": "other",
    "price gouging": "corruption", "search and rescue": "other", "recherche et sauvetage": "other",
    "persons news": "other", "nouvelles de personnes": "other", "peace efforts": "other",
}  # fmt: skip
GENERIC = {
    "emergency", "urgences", "vital lines", "urgences logistiques", "services available", "secours",
    "other", "autre", "highly vulnerable",
}  # fmt: skip
_CODE_PREFIX = re.compile(r"^\s*\d+[a-z]?\.\s*", re.IGNORECASE)


def reason_label(code: str) -> str:
    """A short explanation of a reason code from the summary's reason_counts."""
    labels = {
        "outside_kenya": _("Coordinates outside Kenya: imported without a place"),
        "coordinates_not_understood": _("Coordinates not valid: placed from the LOCATION text"),
        "no_category": _("No category: filed under Other"),
        "category_unmapped": _("Category without a match in the taxonomy"),
        "case_left_unchanged": _("Joined a suggested case: its status was left as it was"),
        "rejected_no_id": _("Not imported: no incident id"),
        "rejected_duplicate_id": _("Not imported: incident id repeated in the file"),
        "rejected_no_text": _("Not imported: no title and no description"),
        "rejected_date_missing": _("Not imported: no date"),
        "rejected_date_not_understood": _("Not imported: date not understood"),
        "rejected_invalid_occurred_on": _("Not imported: impossible date"),
        "rejected_invalid_categories": _("Not imported: category not in use"),
    }
    if code in labels:
        return labels[code]
    if code.startswith("rejected_"):
        return _("Not imported (%(code)s)") % {"code": code.removeprefix("rejected_")}
    return code


class UshahidiFileError(ValueError):
    """The file as a whole cannot be read (not CSV, missing columns)."""


class RowRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ImportSummary:
    organisation: str
    rows: int = 0
    imported: int = 0
    rejected: int = 0
    already_imported: int = 0
    triaged: int = 0
    verified: int = 0
    reasons: dict[int, list[str]] = field(default_factory=dict)  # spreadsheet row -> messages
    rejected_rows: set[int] = field(default_factory=set)
    reason_counts: Counter[str] = field(default_factory=Counter)
    unmapped_categories: Counter[str] = field(default_factory=Counter)
    encoding_notice: str = ""
    format: str = "v2"  # "v2" (Ushahidi 2.x) or "platform" (v3 and later)

    def note(self, row: int, code: str, message: str) -> None:
        self.reasons.setdefault(row, []).append(message)
        self.reason_counts[code] += 1

    def as_json(self) -> dict[str, Any]:
        """The command's printed summary (a contract: keys imported, rejected, reasons)."""
        return {
            "organisation": self.organisation,
            "rows": self.rows,
            "imported": self.imported,
            "rejected": self.rejected,
            "already_imported": self.already_imported,
            "triaged": self.triaged,
            "verified": self.verified,
            "reasons": {f"row {row}": "; ".join(msgs) for row, msgs in sorted(self.reasons.items())},
            "reason_counts": dict(sorted(self.reason_counts.items())),
            "unmapped_categories": dict(self.unmapped_categories.most_common()),
            "notice": self.encoding_notice,
            "format": self.format,
        }

    def rows_for_display(self, limit: int) -> list[tuple[int, bool, list[str]]]:
        """Rejected rows first (all of them), then rows imported with a note, up to `limit` in all."""
        rejected = [(r, True, m) for r, m in sorted(self.reasons.items()) if r in self.rejected_rows]
        noted = [(r, False, m) for r, m in sorted(self.reasons.items()) if r not in self.rejected_rows]
        return (rejected + noted)[: max(limit, len(rejected))]


# --- reading ----------------------------------------------------------------------------------------------


def _decodes_as_utf8(source: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while block := source.read(1024 * 1024):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        source.seek(0)
    return True


def _plain(header: str) -> str:
    return " ".join(header.strip().lower().split())


def _v2_columns(header: list[str]) -> list[str]:
    return [_HEADER_LOOKUP.get(_plain(h), "") for h in header]


def _v3_columns(header: list[str]) -> list[str] | None:
    """Our column key for each header of a Platform (v3 and later) export, or None when it is not one.

    The Platform writes its native columns first ("Post ID", "Survey", "Post Status", "Created (UTC)",
    "Updated (UTC)", "Post Date (UTC)", "Contact ID", "Contact"), then each survey's fields by their label:
    the title and description fields, a location field as two columns "<label>.lat" and "<label>.lon",
    categories (tags) as one comma-separated column, and any other field. Other fields are kept in the text.
    """
    plain = [_plain(h) for h in header]
    if "post id" not in plain:
        return None
    keys: list[str] = []
    for h in plain:
        key = V3_HEADERS.get(h, "")
        if not key and h.endswith(".lat"):
            key = "lat"
        elif not key and (h.endswith(".lon") or h.endswith(".lng")):
            key = "lon"
        elif not key and h in ("title", "post title"):
            key = "title"
        elif not key and h in ("description", "post description", "content"):
            key = "description"
        elif not key and h in ("categories", "category", "tags"):
            key = "category"
        elif not key and h in ("location", "location name", "place", "address") and "location" not in keys:
            key = "location"
        keys.append(key or V3_EXTRA)
    if "date" not in keys and "created" in keys:
        keys[keys.index("created")] = "date"
    return keys


def read_rows(source: IO[bytes], summary: ImportSummary) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, values by our column key) for each data row; the header is row 1.

    Both exports are read: Ushahidi 2.x ("#", "INCIDENT TITLE", ...) and the Platform, v3 and later
    ("Post ID", "Survey", ...), told apart by the header. A Platform row's other survey fields come as
    "extras" (label: value lines); its dates are UTC ("utc" set)."""
    encoding = "utf-8-sig"
    if not _decodes_as_utf8(source):
        encoding = "cp1252"
        summary.encoding_notice = _("The file is not UTF-8; it was read as Windows-1252 (Excel's encoding).")
    text = io.TextIOWrapper(source, encoding=encoding, errors="replace", newline="")
    try:
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise UshahidiFileError(_("The file is empty.")) from None
        except csv.Error:
            raise UshahidiFileError(_("The file could not be read as CSV.")) from None
        v3 = _v3_columns(header)
        keys = v3 if v3 is not None else _v2_columns(header)
        summary.format = "platform" if v3 is not None else "v2"
        missing = [k for k in REQUIRED if k not in keys]
        if missing or not ({"title", "description"} & set(keys)):
            raise UshahidiFileError(
                _(
                    "This does not look like a Ushahidi export: it needs the columns #/Serial, "
                    "INCIDENT TITLE or DESCRIPTION, INCIDENT DATE (Ushahidi 2.x), or Post ID, Title or "
                    "Description, Post Date or Created (the Platform) (found: %(found)s)."
                )
                % {"found": ", ".join(h for h in header if h)[:200]}
            )
        row_number = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error:
                raise UshahidiFileError(
                    _("The file stops being valid CSV after row %(row)d.") % {"row": row_number}
                ) from None
            row_number += 1
            if not any(c.strip() for c in cells):
                continue
            if v3 is not None and row_number == 2 and all(not c or c.startswith("#") for c in cells):
                continue  # the Platform's optional row of HXL hashtags
            values = dict.fromkeys(HEADERS, "")
            extras: list[str] = []
            for key, label, cell in zip(keys, header, cells, strict=False):
                value = cell.strip()
                if key == V3_EXTRA:
                    if value:
                        extras.append(f"{label.strip()}: {value}")
                elif key and not values[key]:
                    values[key] = value
            if v3 is not None:
                if values["survey"]:
                    extras.insert(0, _("Survey: %(name)s") % {"name": values["survey"]})
                values["extras"] = "\n".join(extras)
                values["utc"] = "yes"
                values["date"] = values["date"] or values["created"]
                values["approved"] = "yes" if values["status"].lower() == "published" else ""
                values["id"] = f"post-{values['id']}" if values["id"] else ""
            yield row_number, values
    finally:
        text.detach()


# --- mapping ----------------------------------------------------------------------------------------------


def _normalise(label: str) -> str:
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.lower().replace("’", "'").split()).strip(" .,;:")


def _label_keys(label: str, own: dict[str, str]) -> tuple[str | None, bool]:
    """(taxonomy key or None, whether the label is a generic parent)."""
    parts = [_normalise(p) for p in _CODE_PREFIX.sub("", label).split("|")]
    for part in parts:
        if part in CATEGORY_MAP:
            return CATEGORY_MAP[part], part in GENERIC
        if part in own:
            return own[part], False
    return None, False


def map_categories(raw: str, own: dict[str, str]) -> tuple[list[str], list[str]]:
    """(keys, labels without a match). Specific labels win over generic ones; nothing mapped gives "other"."""
    specific: list[str] = []
    generic: list[str] = []
    unmapped: list[str] = []
    for label in (part.strip() for part in raw.split(",")):
        if not label:
            continue
        key, is_generic = _label_keys(label, own)
        if key is None:
            unmapped.append(label)
        elif is_generic:
            generic.append(key)
        else:
            specific.append(key)
    return list(dict.fromkeys(specific or generic)) or ["other"], unmapped


def _own_names(org: Organisation) -> dict[str, str]:
    """The organisation's keys and English/Kiswahili names, so an export of our own taxonomy maps back."""
    out: dict[str, str] = {}
    for key, en, sw in Category.objects.filter(organisation=org, is_active=True).values_list(
        "key", "name_en", "name_sw"
    ):
        for name in (key, en, sw):
            out[_normalise(name)] = key
    return out


def parse_date(raw: str) -> datetime:
    text = raw.strip()
    if not text:
        raise RowRejected("date_missing", _("No incident date."))
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 (made aware in Sauti's time zone below)
        except ValueError:
            continue
    raise RowRejected(
        "date_not_understood", _("The date “%(value)s” is not understood.") % {"value": text[:40]}
    )


def parse_point(lat_raw: str, lon_raw: str) -> tuple[float, float] | None:
    """Coordinates, or None when absent ("0,0" is Ushahidi's "not set"). ValueError when not numbers."""
    if not lat_raw.strip() and not lon_raw.strip():
        return None
    lat, lon = float(lat_raw), float(lon_raw)
    if lat != lat or lon != lon:  # NaN
        raise ValueError("not a number")
    if lat == 0 and lon == 0:
        return None
    return lat, lon


# --- importing --------------------------------------------------------------------------------------------


def system_user() -> User:
    """The inactive account that signs automatic steps (it cannot log in and holds no role)."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "Sauti", "last_name": "(system)"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@dataclass
class _Row:
    external_id: str
    description: str
    when: datetime  # aware
    place_text: str
    point: tuple[float, float] | None
    outside: tuple[float, float] | None
    keys: list[str]
    approved: bool
    verified: bool
    categories: list[Category] = field(default_factory=list)
    location: dict[str, Any] = field(default_factory=dict)
    # The post's own title and description: a case's title is made from these, never from the survey's
    # name or its other fields appended to the description (review of issue 16).
    headline: str = ""


class _Lookups:
    """What many rows share, looked up once per import: categories by keys, the ward at a point, the place
    a text names (a deployment repeats the same few coordinates and place names thousands of times)."""

    def __init__(self, org: Organisation) -> None:
        self.org = org
        self.area = org.operating_area()
        self._categories: dict[tuple[str, ...], list[Category] | ReportError] = {}
        self._wards: dict[tuple[float, float], PlaceCandidate | None] = {}
        self._places: dict[str, dict[str, Any]] = {}

    def categories(self, keys: list[str]) -> list[Category]:
        key = tuple(keys)
        if key not in self._categories:
            try:
                self._categories[key] = categories_for(self.org, keys)
            except ReportError as exc:
                self._categories[key] = exc
        found = self._categories[key]
        if isinstance(found, ReportError):
            raise found
        return found

    def ward(self, point: tuple[float, float]) -> PlaceCandidate | None:
        if point not in self._wards:
            self._wards[point] = ward_at(*point)
        return self._wards[point]

    def place(self, text: str) -> dict[str, Any]:
        if text not in self._places:
            self._places[text] = locate(text, None, None, area=self.area)
        return self._places[text]


def _prepare(
    number: int, values: dict[str, str], own: dict[str, str], summary: ImportSummary, lookups: _Lookups
) -> _Row:
    incident = values["id"]
    if not incident:
        raise RowRejected("no_id", _("No incident id."))
    title, body = values["title"], values["description"]
    description = body if title and body.startswith(title) else "\n\n".join(p for p in (title, body) if p)
    if not description.strip():
        raise RowRejected("no_text", _("No title and no description."))
    headline = description
    if values["extras"]:
        description = f"{description}\n\n{values['extras']}"
    naive = parse_date(values["date"])
    when = timezone.make_aware(naive, UTC if values["utc"] else None)
    point: tuple[float, float] | None = None
    outside: tuple[float, float] | None = None
    try:
        point = parse_point(values["lat"], values["lon"])
        if point is not None and lookups.ward(point) is None:
            point, outside = None, point
    except ValueError:
        summary.note(
            number,
            "coordinates_not_understood",
            _("Coordinates “%(lat)s, %(lon)s” are not valid; placed from the LOCATION text only.")
            % {"lat": values["lat"][:20], "lon": values["lon"][:20]},
        )
    keys, unmapped = map_categories(values["category"], own)
    if not values["category"].strip(" ,"):
        summary.note(number, "no_category", _("No category; filed under Other."))
    for label in unmapped:
        summary.unmapped_categories[label] += 1
        message = (
            _("Category “%(label)s” has no match; filed under Other.")
            if keys == ["other"]
            else _("Category “%(label)s” has no match; the row's other categories are kept.")
        )
        summary.note(number, "category_unmapped", message % {"label": label[:80]})
    return _Row(
        external_id=f"{SOURCE_PREFIX}{incident}"[:120],
        description=description,
        headline=headline,
        when=when,
        place_text=values["location"][:200],
        point=point,
        outside=outside,
        keys=keys,
        approved=values["approved"].lower() in _YES,
        verified=values["verified"].lower() in _YES,
    )


def _outside_template() -> str:
    return _(
        "Imported from Ushahidi (%(id)s) with coordinates %(lat).5f, %(lon).5f, which are outside "
        "Kenya: the report has no place on the map."
    )


def _outside_note(row: _Row, template: str | None = None) -> str:
    """`template`: `_outside_template()` already translated (the bulk path translates it once, not per row)."""
    assert row.outside is not None
    text = _outside_template() if template is None else template
    return text % {"id": row.external_id, "lat": row.outside[0], "lon": row.outside[1]}


def _import_row(
    org: Organisation, row: _Row, actor: User, by: User | None, language: str
) -> tuple[bool, bool, bool]:
    """Save one row that has a place, through grouping, with its transitions and note, or nothing.
    Returns (triaged, verified, case left alone)."""
    when = row.when
    with transaction.atomic():
        report = do_submit_report(
            org,
            ReportInput(
                description=row.description,
                channel=ReportChannel.IMPORT,
                occurred_on=when.date(),
                received_at=when,
                # Text outside Kenya must not be matched against Kenya's gazetteer; it is kept below.
                place_text="" if row.outside else row.place_text,
                lat=row.point[0] if row.point else None,
                lon=row.point[1] if row.point else None,
                category_keys=row.keys,
                language=language,
                external_id=row.external_id,
                submitted_by=by,
                title=_title(org, row),
            ),
        )
        if row.outside and row.place_text:
            Report.objects.filter(pk=report.pk).update(place_text=row.place_text)
            audit.log_rows(Report, [report.pk], "update")
        case = report.case
        assert case is not None
        if row.outside:
            do_add_note(case, actor, _outside_note(row))
        if not (row.approved or row.verified):
            return False, False, False
        if not report.grouping_confirmed:
            return False, False, True
        triaged = verified = False
        if case.status == Status.NEW:
            do_transition(case, Status.TRIAGED, actor, reason=_("approved in Ushahidi"))
            triaged = True
        if row.verified:
            do_transition(
                case,
                Status.VERIFIED,
                actor,
                method=VerificationMethod.SECOND_SOURCE,
                reason=_("imported as verified from Ushahidi"),
                inform=False,  # history being imported, not news for the reporters
            )
            verified = True
        return triaged, verified, False


def _placed(location: dict[str, Any]) -> bool:
    """Whether grouping could join a report with this location to an open case (it needs a ward, a
    settlement or a point); without one a report always opens its own case."""
    return bool(location.get("ward") or location.get("settlement") or location.get("lat") is not None)


def _import_unplaced(
    org: Organisation, rows: list[_Row], actor: User, by: User | None, language: str
) -> None:
    """Rows without a place, in bulk: what `do_submit_report` and the transitions would write for each
    (its own case, the case's opening, the note for coordinates outside Kenya, the steps to triaged and
    verified), in a few INSERTs, with their audit entries and rollups written in bulk too."""
    if not rows:
        return
    # The title is the first 80 characters of the redacted text: redacting the text's head is enough.
    heads = [_head(r.headline or r.description) for r in rows]
    redactor = Redactor.for_texts((org.pk, head) for head in heads)
    now = timezone.now()
    cases: list[Case] = []
    for r, head in zip(rows, heads, strict=True):
        top = r.categories[0].parent or r.categories[0] if r.categories else None
        # A title made from the text never carries the names or numbers in it (issue 14).
        title = " ".join(redactor.redact(org.pk, head).text.split())
        status = Status.VERIFIED if r.verified else Status.TRIAGED if r.approved else Status.NEW
        day = r.when.date()
        cases.append(
            Case(
                organisation=org,
                title=title[:80] + ("…" if len(title) > 80 else ""),
                category=top,
                county=r.location.get("county"),
                constituency=r.location.get("constituency"),
                precision=r.location.get("precision", Precision.UNKNOWN),
                status=status,
                verification_method=VerificationMethod.SECOND_SOURCE if r.verified else "",
                report_count=1,
                occurred_from=day,
                occurred_to=day,
                created_at=r.when,
                updated_at=max(r.when, now),
            )
        )
    Case.objects.bulk_create(cases)
    reports = [
        Report(
            organisation=org,
            case=case,
            grouping_confirmed=True,
            description=r.description[:5000],
            occurred_on=r.when.date(),
            received_at=r.when,
            place_text=r.place_text[:200],
            channel=ReportChannel.IMPORT,
            language=language,
            external_id=r.external_id,
            submitted_by=by,
            **r.location,
        )
        for r, case in zip(rows, cases, strict=True)
    ]
    Report.objects.bulk_create(reports)
    through = Report.categories.through
    through.objects.bulk_create(
        [
            through(report_id=report.pk, category_id=c.pk)
            for r, report in zip(rows, reports, strict=True)
            for c in r.categories
        ]
    )
    # Translated once for the whole file: the same texts as the one-by-one path writes.
    outside_note = _outside_template()
    approved, verified = _("approved in Ushahidi"), _("imported as verified from Ushahidi")
    events: list[CaseEvent] = []
    for r, case, report in zip(rows, cases, reports, strict=True):
        events.append(CaseEvent(case=case, kind=CaseEvent.Kind.CREATED, report=report, to_status=Status.NEW))
        if r.outside:
            events.append(
                CaseEvent(
                    case=case, kind=CaseEvent.Kind.NOTE, actor=actor, reason=_outside_note(r, outside_note)
                )
            )
        if r.approved or r.verified:
            events.append(_status_event(case, Status.NEW, Status.TRIAGED, actor, approved, ""))
        if r.verified:
            events.append(
                _status_event(
                    case, Status.TRIAGED, Status.VERIFIED, actor, verified, VerificationMethod.SECOND_SOURCE
                )
            )
    CaseEvent.objects.bulk_create(events)
    case_pks = [c.pk for c in cases]
    report_pks = [r.pk for r in reports]
    audit.log_rows(Case, case_pks, Action.CREATE)
    audit.log_rows(Report, report_pks, Action.CREATE)
    audit.log_rows(CaseEvent, [e.pk for e in events], Action.CREATE)
    rollups.apply(rollups.tally(Report.objects.filter(pk__in=report_pks)))
    rollups.apply_cases(rollups.tally_cases(Case.objects.filter(pk__in=case_pks)))


def _title(org: Organisation, row: _Row) -> str:
    """The title of the case the row may open, from the post's redacted head (issue 14: no names)."""
    if not row.headline or row.headline == row.description:
        return ""  # grouping's own title from the description
    return " ".join(redact_text(org.pk, _head(row.headline)).text.split())


def _head(text: str, size: int = 400) -> str:
    """The text up to the last space before `size` characters (no name or number cut in two)."""
    return text if len(text) <= size else text[:size].rsplit(None, 1)[0]


def _status_event(case: Case, was: str, to: str, actor: User, reason: str, method: str) -> CaseEvent:
    return CaseEvent(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        from_status=was,
        to_status=to,
        actor=actor,
        reason=reason,
        data={"method": method, "referred_to": None},
    )


def do_import_ushahidi(
    org: Organisation,
    source: IO[bytes],
    *,
    by: User | None,
    language: str = "en",
    progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> ImportSummary:
    """Import every row that can be imported; report each one that cannot, and each change made to a row.

    `by` is the importing user (recorded as submitter and on the timeline); None means the command line,
    and the system user signs the transitions. Raises UshahidiFileError when the file cannot be read at all.

    A row with a place goes through grouping one by one (it may join an open case); a row without one
    always opens its own case, so those are written in bulk per batch (see `_import_unplaced`)."""
    summary = ImportSummary(organisation=org.slug)
    actor = by or system_user()
    own = _own_names(org)
    lookups = _Lookups(org)
    done = set(
        Report.objects.filter(
            organisation=org, channel=ReportChannel.IMPORT, external_id__startswith=SOURCE_PREFIX
        ).values_list("external_id", flat=True)
    )
    seen: set[str] = set()
    rows = read_rows(source, summary)
    # Rows are committed in batches (fewer commits); a row with a place in its own savepoint (all or
    # nothing per row); the rows without one are checked first, then written together.
    while batch := list(islice(rows, BATCH)):
        with transaction.atomic():
            unplaced: list[tuple[int, _Row]] = []
            for number, values in batch:
                summary.rows += 1
                if progress is not None and summary.rows % progress_every == 0:
                    progress(summary.rows)
                row = _import_one(org, number, values, own, summary, done, seen, actor, by, language, lookups)
                if row is not None:
                    unplaced.append((number, row))
            _import_unplaced(org, [r for _n, r in unplaced], actor, by, language)
            for number, row in unplaced:
                _account(summary, number, row, row.approved or row.verified, row.verified, False)
    if progress is not None and summary.rows % progress_every:
        progress(summary.rows)
    return summary


def _import_one(
    org: Organisation,
    number: int,
    values: dict[str, str],
    own: dict[str, str],
    summary: ImportSummary,
    done: set[str],
    seen: set[str],
    actor: User,
    by: User | None,
    language: str,
    lookups: _Lookups,
) -> _Row | None:
    """Import a row with a place now; return a checked row without one (for the bulk write)."""
    external_id = f"{SOURCE_PREFIX}{values['id']}"[:120]
    try:
        if values["id"] and external_id in seen:
            raise RowRejected(
                "duplicate_id", _("Incident id %(id)s appears twice in the file.") % {"id": values["id"]}
            )
        seen.add(external_id)
        if values["id"] and external_id in done:
            summary.already_imported += 1
            return None
        row = _prepare(number, values, own, summary, lookups)
        check_date(row.when.date())
        row.categories = lookups.categories(row.keys)
        if row.point is None:
            location = lookups.place("" if row.outside else row.place_text)
            if not _placed(location):
                row.location = location
                return row
        triaged, verified, left = _import_row(org, row, actor, by, language)
    except RowRejected as exc:
        _reject(summary, number, exc.code, exc.message)
        return None
    except ReportError as exc:
        _reject(summary, number, f"invalid_{exc.field or 'report'}", str(exc))
        return None
    except TransitionError as exc:
        _reject(summary, number, "transition", str(exc))
        return None
    _account(summary, number, row, triaged, verified, left)
    return None


def _account(
    summary: ImportSummary, number: int, row: _Row, triaged: bool, verified: bool, left: bool
) -> None:
    summary.imported += 1
    summary.triaged += triaged
    summary.verified += verified
    if row.outside:
        summary.note(
            number,
            "outside_kenya",
            _("Coordinates outside Kenya: imported without a place (the LOCATION text is kept)."),
        )
    if left:
        summary.note(
            number,
            "case_left_unchanged",
            _("Joined a suggested case; its status was not changed from the Ushahidi flags."),
        )


def _reject(summary: ImportSummary, number: int, code: str, message: str) -> None:
    summary.rejected += 1
    summary.rejected_rows.add(number)
    summary.note(number, f"rejected_{code}", _("Not imported: %(reason)s") % {"reason": message})
