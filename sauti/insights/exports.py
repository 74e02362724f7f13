"""Report exports (CSV, XLSX, GeoJSON, HXL-tagged CSV), streamed with constant memory.

Rows are read in chunks of 2,000 from one cursor (server-side on PostgreSQL); names of places, categories and
organisations come from lookups built once per export (per chunk for settlements and categories), so there is
no query per row and memory does not grow with the number of rows.
Identities are pseudonymised unless the export is for a user allowed to see them, and then every revealed
contact is logged through `reveal_identities`. Sensitive cases' locations are coarsened to the ward (point:
the ward's centroid; no settlement, no place text) for audiences without triage rights.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sauti.monitoring.models import Category, Precision, Report
from sauti.people.access import Perm, can
from sauti.people.actions import reveal_identities
from sauti.people.models import Contact, Organisation, User
from sauti.people.redaction import Redactor
from sauti.places.models import Constituency, County, Settlement, Ward

CHUNK = 2000
FORMATS = ("csv", "xlsx", "geojson", "hxl")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "hxl": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv", "hxl": "hxl.csv", "geojson": "geojson", "xlsx": "xlsx"}
# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = "=+-@\t\r"
# Control characters the XLSX format cannot hold (openpyxl refuses them).
XLSX_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    hxl: str
    free_text: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("report", _("Report"), "#event+id"),
    Column("case", _("Case"), "#event+case"),
    Column("organisation", _("Organisation"), "#org+code"),
    Column("received_at", _("Received"), "#date+reported"),
    Column("occurred_on", _("When it happened"), "#date+occurred"),
    Column("status", _("Case status"), "#status"),
    Column("verified_by", _("Verified by"), "#status+verification"),
    Column("category", _("Category"), "#sector"),
    Column("subcategories", _("Sub-categories"), "#subsector"),
    Column("county", _("County"), "#adm1+name"),
    Column("county_code", _("County code (IEBC)"), "#adm1+code"),
    Column("constituency", _("Constituency"), "#adm2+name"),
    Column("constituency_code", _("Constituency code (IEBC)"), "#adm2+code"),
    Column("ward", _("Ward"), "#adm3+name"),
    Column("ward_code", _("Ward code (IEBC)"), "#adm3+code"),
    Column("settlement", _("Settlement"), "#loc+name"),
    Column("place_text", _("Place, as reported"), "#loc+reported", free_text=True),
    Column("lat", _("Latitude"), "#geo+lat"),
    Column("lon", _("Longitude"), "#geo+lon"),
    Column("precision", _("Location precision"), "#geo+precision"),
    Column("coarsened", _("Location coarsened"), "#geo+coarsened"),
    Column("people_affected", _("People affected"), "#affected"),
    Column("channel", _("Channel"), "#meta+channel"),
    Column("language", _("Language"), "#meta+lang"),
    Column("external_id", _("Id in the source system"), "#meta+source+id", free_text=True),
    Column("reporter", _("Reporter (pseudonym)"), "#contact+code"),
    Column("description", _("What happened"), "#description", free_text=True),
)
IDENTITY_COLUMNS: tuple[Column, ...] = (
    Column("reporter_name", _("Reporter name"), "#contact+name", free_text=True),
    Column("reporter_phone", _("Reporter phone"), "#contact+phone"),
)

_FIELDS = (
    "id",
    "organisation_id",
    "case_id",
    "case__status",
    "case__verification_method",
    "case__is_sensitive",
    "received_text",
    "occurred_text",
    "county_id",
    "constituency_id",
    "ward_id",
    "settlement_id",
    "place_text",
    "lat",
    "lon",
    "precision",
    "people_affected",
    "channel",
    "language",
    "external_id",
    "reporter_id",
    "reporter__pseudonym",
    "description",
    "redacted_description",
)


@dataclass(frozen=True)
class Audience:
    """Who an export is for: whether identities are revealed (and logged for whom), where locations are coarsened."""

    reveal_to: User | None = None
    coarsen_orgs: frozenset[int] = field(default_factory=frozenset)
    context: str = "export"

    @property
    def identities(self) -> bool:
        return self.reveal_to is not None


def columns_for(audience: Audience) -> tuple[Column, ...]:
    return COLUMNS + IDENTITY_COLUMNS if audience.identities else COLUMNS


_NO_PLACE: tuple[Any, ...] = ("", None, None, None)


class _Lookups:
    """Names and codes by primary key, loaded once per export instead of joined on every row.

    Places map to (name, code, lat, lon); a missing key gives _NO_PLACE, so rows need no branches.
    """

    def __init__(self) -> None:
        self.counties = {pk: (name, code, lat, lon) for pk, code, name, lat, lon in County.objects.values_list("pk", "code", "name", "lat", "lon")}  # fmt: skip
        self.constituencies = {pk: (name, code, None, None) for pk, code, name in Constituency.objects.values_list("pk", "code", "name")}  # fmt: skip
        self.wards = {pk: (name, code, lat, lon) for pk, code, name, lat, lon in Ward.objects.values_list("pk", "code", "name", "lat", "lon")}  # fmt: skip
        self.orgs = dict(Organisation.objects.values_list("pk", "slug"))
        self.categories: dict[int, tuple[str, str, bool, int]] = {}
        for pk, key, parent_key, position in Category.objects.values_list(
            "pk", "key", "parent__key", "position"
        ):
            self.categories[pk] = (key, parent_key or key, parent_key is not None, position)
        self.category_cells: dict[tuple[int, ...], tuple[str, str]] = {(): ("", "")}
        self.settlements: dict[int | None, str] = {None: ""}
        self.tz = timezone.get_current_timezone()
        self.identities: dict[int | None, tuple[str, str]] = {None: ("", "")}
        self.redactor = Redactor()  # names in this chunk's texts (one query per chunk)
        # UTC hour ("YYYY-MM-DD HH") -> (local "YYYY-MM-DDTHH", local offset "+03:00"), or None where the
        # local time is not a whole-hour shift of UTC throughout that hour.
        self.hours: dict[str, tuple[str, str] | None] = {}

    def local_iso(self, raw: str | None) -> str:
        """`_local_iso` of a UTC time given as the database's text, in about a tenth of the time.

        Times in one UTC hour share their local date, hour and offset (whenever the zone's offset is whole
        hours there), so only the minutes and seconds are copied per row.
        """
        if raw is None:
            return ""
        key = raw[:13]
        try:
            shift = self.hours[key]
        except KeyError:
            shift = self.hours[key] = self._shift(key)
        if shift is None:
            return _local_iso(_utc_text(raw), self.tz)
        return f"{shift[0]}{raw[13:19]}{shift[1]}"

    def _shift(self, hour: str) -> tuple[str, str] | None:
        start = datetime.fromisoformat(f"{hour}:00:00").replace(tzinfo=UTC).astimezone(self.tz)
        end = datetime.fromisoformat(f"{hour}:59:59").replace(tzinfo=UTC).astimezone(self.tz)
        offset = start.utcoffset()
        if offset is None or offset != end.utcoffset() or offset.total_seconds() % 3600:
            return None
        text = start.isoformat(timespec="seconds")
        return text[:13], text[19:]

    def load_settlements(self, ids: Iterable[int]) -> None:
        missing = {i for i in ids if i not in self.settlements}
        if missing:
            self.settlements.update(Settlement.objects.filter(pk__in=missing).values_list("pk", "name"))

    def category_cell(self, ids: tuple[int, ...]) -> tuple[str, str]:
        """(top-level keys, sub-category keys), each ";"-joined in taxonomy order; memoised per combination."""
        cell = self.category_cells.get(ids)
        if cell is None:
            found = sorted((self.categories[c] for c in ids if c in self.categories), key=lambda c: c[3])
            tops = ";".join(dict.fromkeys(c[1] for c in found))
            cell = self.category_cells[ids] = (tops, ";".join(c[0] for c in found if c[2]))
        return cell


def _ids_lookup(ids: list[int]) -> Q:
    """The chunk's report ids (ascending): as a range when they are dense (cheaper than a 2,000-value IN)."""
    if ids[-1] - ids[0] < 2 * len(ids):
        return Q(report_id__gte=ids[0], report_id__lte=ids[-1])
    return Q(report_id__in=ids)


def _chunks(qs: QuerySet[Report]) -> Iterator[list[tuple[Any, ...]]]:
    """Chunks of rows straight from the (server-side, where the database has them) cursor.

    This is `values_list(...).iterator(chunk_size=CHUNK)` without Django's per-value converters, which cost
    a third of the export time. The two dates come as the database's text ("YYYY-MM-DD HH:MM:SS…" in UTC,
    "YYYY-MM-DD"), which `_Lookups.local_iso` and `_row` turn into the export's text without parsing each one.
    """
    query = (
        qs.order_by("id")
        .annotate(
            received_text=Cast("received_at", CharField()), occurred_text=Cast("occurred_on", CharField())
        )
        .values_list(*_FIELDS)
        .query
    )
    compiler = query.get_compiler(using=qs.db)
    yield from compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=CHUNK)


def export_chunks(
    qs: QuerySet[Report], audience: Audience, on_chunk: Callable[[int], None] | None = None
) -> Iterator[list[list[Any]]]:
    """Lists of up to CHUNK rows, each a list in the order of `columns_for(audience)` (str, int, float or None).

    `on_chunk` is called with the number of rows produced so far after each chunk.
    """
    look = _Lookups()
    produced = 0
    through = Report.categories.through
    for chunk in _chunks(qs):
        ids = [r[0] for r in chunk]
        cats: dict[int, tuple[int, ...]] = {}
        for report_id, category_id in through.objects.filter(_ids_lookup(ids)).values_list(
            "report_id", "category_id"
        ):
            cats[report_id] = (*cats.get(report_id, ()), category_id)
        look.load_settlements(r[11] for r in chunk if r[11] is not None)
        if audience.reveal_to is not None:
            _reveal(look, audience, {r[20] for r in chunk if r[20] is not None})
        else:
            look.redactor = Redactor.for_texts(
                [(r[1], r[22]) for r in chunk if not r[23]] + [(r[1], r[12]) for r in chunk if r[12]]
            )
        yield [_row(row, cats.get(row[0], ()), look, audience) for row in chunk]
        produced += len(chunk)
        if on_chunk is not None:
            on_chunk(produced)


def _reveal(look: _Lookups, audience: Audience, contact_ids: set[int]) -> None:
    """Decrypt (and log, once per contact per export) the identities this chunk needs."""
    assert audience.reveal_to is not None
    missing = contact_ids - look.identities.keys()
    if not missing:
        return
    shown = reveal_identities(audience.reveal_to, Contact.objects.filter(pk__in=missing), audience.context)
    for pk, identity in shown.items():
        look.identities[pk] = (identity.name, identity.phone)


def _local_iso(moment: datetime | None, tz: tzinfo) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).isoformat(timespec="seconds")


def _utc_text(raw: str) -> datetime:
    """A UTC time as the database writes it as text (SQLite: no offset; PostgreSQL: "+00") → aware."""
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _row(
    row: tuple[Any, ...], category_ids: tuple[int, ...], look: _Lookups, audience: Audience
) -> list[Any]:
    (
        pk, org_id, case_id, status, verified_by, sensitive, received_at, occurred_on,
        county_id, constituency_id, ward_id, settlement_id, place_text, lat, lon, precision,
        people, channel, language, external_id, reporter_id, pseudonym, description, corrected,
    ) = row  # fmt: skip
    if not audience.identities:  # an export without identities carries none in its text either
        description = corrected or look.redactor.redact(org_id, description).text
        place_text = look.redactor.redact(org_id, place_text).text if place_text else place_text
    county = look.counties.get(county_id, _NO_PLACE)
    ward = look.wards.get(ward_id, _NO_PLACE)
    coarsened = "no"
    if sensitive and org_id in audience.coarsen_orgs:
        coarsened, settlement_id, place_text = "yes", None, ""
        centre = ward if ward_id else county
        lat, lon = centre[2], centre[3]
        precision = Precision.WARD if ward_id else Precision.COUNTY if county_id else Precision.UNKNOWN
    tops, subs = look.category_cell(category_ids)
    constituency = look.constituencies.get(constituency_id, _NO_PLACE)
    out = [
        f"R{pk}",
        f"C{case_id}" if case_id else "",
        look.orgs.get(org_id, ""),
        look.local_iso(received_at),
        occurred_on or "",
        status or "",
        verified_by or "",
        tops,
        subs,
        county[0],
        county[1],
        constituency[0],
        constituency[1],
        ward[0],
        ward[1],
        look.settlements.get(settlement_id, ""),
        place_text,
        lat,
        lon,
        precision,
        coarsened,
        people,
        channel,
        language,
        external_id,
        pseudonym or "",
        description,
    ]
    if audience.identities:
        out.extend(look.identities.get(reporter_id, ("", "")))
    return out


# --- formats ----------------------------------------------------------------------------------------------


def stream_csv(
    chunks: Iterable[list[list[Any]]], columns: tuple[Column, ...], *, hxl: bool = False
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def take() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    if hxl:
        writer.writerow([str(c.label) for c in columns])
        writer.writerow([c.hxl for c in columns])
    else:
        writer.writerow([c.key for c in columns])
    yield take()
    free = [i for i, c in enumerate(columns) if c.free_text]
    for rows in chunks:
        for row in rows:
            for i in free:
                if (text := row[i]) and text[0] in FORMULA_START:
                    row[i] = "'" + text
        buffer.write(csv_lines(rows))
        yield take()


def csv_lines(rows: list[list[Any]]) -> str:
    """The rows as csv.writer writes them with lineterminator="\\n" (minimal quoting), one line each.

    Most rows need no quoting: their fields joined with commas are the line (None as nothing, as csv
    writes it; str values as they are, skipping a str() call for most fields). A row is left to the csv
    module when that may not hold: a field holds a comma, quote or line break. Same bytes, at about
    twice the speed.
    """
    commas = len(rows[0]) - 1 if rows else 0
    out: list[str] = []
    for row in rows:
        line = ",".join([v if v.__class__ is str else "" if v is None else str(v) for v in row])
        if line.count(",") == commas and '"' not in line and "\n" not in line and "\r" not in line:
            out.append(line)
        else:
            out.append(_csv_line(row))
    out.append("")
    return "\n".join(out)


def _csv_line(row: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)  # the terminator decides what gets quoted
    return buffer.getvalue()[:-1]


def stream_geojson(chunks: Iterable[list[list[Any]]], columns: tuple[Column, ...]) -> Iterator[bytes]:
    keys = [c.key for c in columns]
    i_lat, i_lon = keys.index("lat"), keys.index("lon")
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for rows in chunks:
        parts = []
        for row in rows:
            lat, lon = row[i_lat], row[i_lon]
            point = (
                {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
            )
            parts.append(
                encode(
                    {"type": "Feature", "geometry": point, "properties": dict(zip(keys, row, strict=True))}
                )
            )
        if parts:
            yield (("" if first else ",") + ",".join(parts)).encode("utf-8")
            first = False
    yield b"]}\n"


def write_xlsx(chunks: Iterable[list[list[Any]]], columns: tuple[Column, ...], target: Any) -> None:
    """Write-only workbook: rows go to a temporary file as they come, never all held in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Reports")))
    sheet.append([str(c.label) for c in columns])
    for rows in chunks:
        for row in rows:
            cells: list[Any] = []
            for value in row:
                if isinstance(value, str):
                    value = XLSX_ILLEGAL.sub("", value)
                    if value.startswith("="):
                        cell = WriteOnlyCell(sheet, value)
                        cell.data_type = "s"  # text that looks like a formula stays text
                        value = cell
                cells.append(value)
            sheet.append(cells)
    book.save(target)


def stream_xlsx(chunks: Iterable[list[list[Any]]], columns: tuple[Column, ...]) -> Iterator[bytes]:
    with tempfile.TemporaryFile() as tmp:
        write_xlsx(chunks, columns, tmp)
        tmp.seek(0)
        while block := tmp.read(256 * 1024):
            yield block


def export_stream(
    fmt: str, qs: QuerySet[Report], audience: Audience, on_chunk: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The export as a stream of bytes; nothing is read from the database until the stream is consumed."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    columns = columns_for(audience)
    chunks = export_chunks(qs, audience, on_chunk)
    if fmt == "geojson":
        return stream_geojson(chunks, columns)
    if fmt == "xlsx":
        return stream_xlsx(chunks, columns)
    return stream_csv(chunks, columns, hxl=fmt == "hxl")


def export_filename(fmt: str, org_slugs: Iterable[str]) -> str:
    slugs = "-".join(sorted(org_slugs))[:60] or "all"
    return f"sauti-reports-{slugs}-{timezone.localdate():%Y%m%d}.{EXTENSIONS[fmt]}"


def audience_for(
    user: User, organisations: Iterable[Organisation], *, identities: bool, context: str
) -> Audience:
    """Identities only when asked for (the caller has checked Perm.VIEW_IDENTITIES); sensitive locations
    coarsened in every organisation where the user cannot triage cases."""
    return Audience(
        reveal_to=user if identities else None,
        coarsen_orgs=frozenset(o.pk for o in organisations if not can(user, Perm.TRIAGE_CASES, o)),
        context=context[:200],
    )
