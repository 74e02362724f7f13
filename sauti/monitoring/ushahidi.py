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
from datetime import datetime
from itertools import islice
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.audit import audit
from sauti.monitoring.actions import (
    ReportError,
    ReportInput,
    TransitionError,
    do_add_note,
    do_submit_report,
    do_transition,
)
from sauti.monitoring.models import Category, Report, ReportChannel, Status, VerificationMethod
from sauti.people.models import Organisation, User
from sauti.places.services import ward_at

SOURCE_PREFIX = "ushahidi:"
SYSTEM_USERNAME = "sauti-system"
PROGRESS_EVERY = 500
BATCH = 100

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
}
_HEADER_LOOKUP = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
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


def read_rows(source: IO[bytes], summary: ImportSummary) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, values by our column key) for each data row; the header is row 1."""
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
        keys = [_HEADER_LOOKUP.get(" ".join(h.strip().lower().split()), "") for h in header]
        missing = [k for k in REQUIRED if k not in keys]
        if missing or not ({"title", "description"} & set(keys)):
            raise UshahidiFileError(
                _(
                    "This does not look like a Ushahidi export: it needs the columns #/Serial, "
                    "INCIDENT TITLE or DESCRIPTION, INCIDENT DATE (found: %(found)s)."
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
            values = dict.fromkeys(HEADERS, "")
            for key, cell in zip(keys, cells, strict=False):
                if key and not values[key]:
                    values[key] = cell.strip()
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
    when: datetime
    place_text: str
    point: tuple[float, float] | None
    outside: tuple[float, float] | None
    keys: list[str]
    approved: bool
    verified: bool


def _prepare(number: int, values: dict[str, str], own: dict[str, str], summary: ImportSummary) -> _Row:
    incident = values["id"]
    if not incident:
        raise RowRejected("no_id", _("No incident id."))
    title, body = values["title"], values["description"]
    description = body if title and body.startswith(title) else "\n\n".join(p for p in (title, body) if p)
    if not description.strip():
        raise RowRejected("no_text", _("No title and no description."))
    when = parse_date(values["date"])
    point: tuple[float, float] | None = None
    outside: tuple[float, float] | None = None
    try:
        point = parse_point(values["lat"], values["lon"])
        if point is not None and ward_at(*point) is None:
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
        when=when,
        place_text=values["location"][:200],
        point=point,
        outside=outside,
        keys=keys,
        approved=values["approved"].lower() in _YES,
        verified=values["verified"].lower() in _YES,
    )


def _import_row(
    org: Organisation, row: _Row, actor: User, by: User | None, language: str
) -> tuple[bool, bool, bool]:
    """Save one row with its transitions and note, or nothing. Returns (triaged, verified, case left alone)."""
    when = timezone.make_aware(row.when) if timezone.is_naive(row.when) else row.when
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
            ),
        )
        if row.outside and row.place_text:
            Report.objects.filter(pk=report.pk).update(place_text=row.place_text)
            audit.log_rows(Report, [report.pk], "update")
        case = report.case
        assert case is not None
        if row.outside:
            do_add_note(
                case,
                actor,
                _(
                    "Imported from Ushahidi (%(id)s) with coordinates %(lat).5f, %(lon).5f, which are outside "
                    "Kenya: the report has no place on the map."
                )
                % {"id": row.external_id, "lat": row.outside[0], "lon": row.outside[1]},
            )
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
    """
    summary = ImportSummary(organisation=org.slug)
    actor = by or system_user()
    own = _own_names(org)
    done = set(
        Report.objects.filter(
            organisation=org, channel=ReportChannel.IMPORT, external_id__startswith=SOURCE_PREFIX
        ).values_list("external_id", flat=True)
    )
    seen: set[str] = set()
    rows = read_rows(source, summary)
    # Rows are committed in batches (fewer commits), each row in its own savepoint (all-or-nothing per row).
    while batch := list(islice(rows, BATCH)):
        with transaction.atomic():
            for number, values in batch:
                summary.rows += 1
                if progress is not None and summary.rows % progress_every == 0:
                    progress(summary.rows)
                _import_one(org, number, values, own, summary, done, seen, actor, by, language)
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
) -> None:
    external_id = f"{SOURCE_PREFIX}{values['id']}"[:120]
    try:
        if values["id"] and external_id in seen:
            raise RowRejected(
                "duplicate_id", _("Incident id %(id)s appears twice in the file.") % {"id": values["id"]}
            )
        seen.add(external_id)
        if values["id"] and external_id in done:
            summary.already_imported += 1
            return
        row = _prepare(number, values, own, summary)
        triaged, verified, left = _import_row(org, row, actor, by, language)
    except RowRejected as exc:
        _reject(summary, number, exc.code, exc.message)
        return
    except ReportError as exc:
        _reject(summary, number, f"invalid_{exc.field or 'report'}", str(exc))
        return
    except TransitionError as exc:
        _reject(summary, number, "transition", str(exc))
        return
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
