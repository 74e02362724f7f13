"""Member lists from CSV or XLSX: read the table, check every row, report per row.

Reading and checking never write to the database; `actions.do_import_members` saves all rows or none.
Headers may be English or Kiswahili; cells are what people type in spreadsheets.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from sauti.core.crypto import lookup_hash
from sauti.people.models import Contact, Group, GroupMembership
from sauti.people.phones import InvalidPhone, normalise_phone
from sauti.places.models import Settlement, Ward
from sauti.places.services import PlaceCandidate, find_places

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "jina", "majina", "member", "member name"),
    "phone": ("phone", "phone number", "mobile", "msisdn", "simu", "nambari ya simu", "namba ya simu"),
    "language": ("language", "lang", "lugha"),
    "gender": ("gender", "sex", "jinsia"),
    "age_band": ("age", "age band", "age group", "umri"),
    "role": ("role", "position", "wadhifa", "cheo"),
    "ward": ("ward", "wadi", "kata"),
    "settlement": ("settlement", "village", "kijiji", "mtaa"),
    "consent": ("consent", "consent sms", "ridhaa", "idhini"),
}
_HEADER_LOOKUP = {alias: key for key, aliases in HEADERS.items() for alias in aliases}

_LANGUAGES = {"en": "en", "english": "en", "kiingereza": "en", "sw": "sw", "swahili": "sw", "kiswahili": "sw"}
_GENDERS = {
    "f": "f", "female": "f", "woman": "f", "w": "f", "mwanamke": "f", "ke": "f", "kike": "f",
    "m": "m", "male": "m", "man": "m", "mwanaume": "m", "me": "m", "kiume": "m",
    "x": "x", "other": "x", "nyingine": "x",
}  # fmt: skip
_ROLES = {
    "member": "member", "mwanachama": "member",
    "leader": "leader", "chair": "leader", "chairperson": "leader", "chairlady": "leader", "mwenyekiti": "leader",
    "secretary": "secretary", "katibu": "secretary",
    "treasurer": "treasurer", "mweka hazina": "treasurer",
}  # fmt: skip
_YES = {"yes", "y", "ndio", "ndiyo", "1", "true", "x", "✓"}
_NO = {"no", "n", "hapana", "0", "false", ""}


class ImportFileError(ValueError):
    """The file as a whole cannot be read; nothing row-level to report."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # data rows only
    notice: str = ""
    lines: list[int] = field(default_factory=list)  # each data row's line as the spreadsheet shows it

    def line(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else index + 2


@dataclass
class RowResult:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    phone: str = ""
    ward_id: int | None = None
    settlement_id: int | None = None
    existing_contact_id: int | None = None
    already_member: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(
    upload: IO[bytes],
    filename: str,
    headers: dict[str, tuple[str, ...]] | None = None,
    required: tuple[str, ...] = ("name", "phone"),
    any_of: tuple[str, ...] = (),
) -> Table:
    """The first sheet or the CSV; `headers` maps column keys to the names people give them (default: members)."""
    lookup = _HEADER_LOOKUP if headers is None else {a: k for k, aliases in headers.items() for a in aliases}
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB. Split it into smaller files."))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    name = filename.lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _table(_read_xlsx(data), "", lookup, required, any_of)
    if name.endswith((".xls", ".ods", ".numbers")):
        raise ImportFileError(_("This spreadsheet format is not supported. Save it as .xlsx or .csv."))
    return _read_csv(data, lookup, required, any_of)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), ""
    if b"\x00" in data:
        raise ImportFileError(_("This is not a text CSV file. Export the sheet as CSV (UTF-8) or .xlsx."))
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file's text encoding could not be read. Save it as “CSV UTF-8” and try again.")
        ) from None
    return text, _("The file was not UTF-8; it was read as Windows-1252. Check that names look right.")


def _read_csv(
    data: bytes, lookup: dict[str, str], required: tuple[str, ...], any_of: tuple[str, ...] = ()
) -> Table:
    text, notice = _decode(data)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None
    return _table(rows, notice, lookup, required, any_of)


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError(_("The Excel file is damaged or is not an .xlsx file.")) from None
    sheet = workbook.worksheets[0]
    # Counted while streaming: a sheet of millions of rows is refused once it passes the limit, never read
    # whole (issue 13). The header and blank rows do not count.
    rows: list[list[str]] = []
    filled = 0
    for row in sheet.iter_rows(values_only=True):
        cells = [
            "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
            for v in row
        ]
        rows.append(cells)
        if any(cells):
            filled += 1
            if filled - 1 > MAX_ROWS:
                workbook.close()
                raise ImportFileError(_("The file has more than %(max)d rows. Split it.") % {"max": MAX_ROWS})
    workbook.close()
    return rows


def _table(
    rows: list[list[str]],
    notice: str,
    lookup: dict[str, str],
    required: tuple[str, ...],
    any_of: tuple[str, ...] = (),
) -> Table:
    # Empty rows are skipped but keep their place: reasons name the line the spreadsheet shows.
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c for c in r)]
    if not numbered:
        raise ImportFileError(_("The file has no rows."))
    lines = [n for n, _r in numbered[1:]]
    rows = [r for _n, r in numbered]
    headers = [lookup.get(" ".join(h.lower().replace("_", " ").split()), "") for h in rows[0]]
    if any_of and not any(k in headers for k in any_of):
        raise ImportFileError(
            _(
                "The first row must name the columns; “name” (jina) or “phone” (simu) is required. "
                "Found: %(found)s"
            )
            % {"found": ", ".join(rows[0]) or "—"}
        )
    missing = [k for k in required if k not in headers]
    if missing and "phone" not in required:
        raise ImportFileError(
            _("The first row must name the columns; “name” (jina) is required. Found: %(found)s")
            % {"found": ", ".join(rows[0]) or "—"}
        )
    if missing:
        raise ImportFileError(
            _(
                "The first row must name the columns; “name” (jina) and “phone” (simu) are required. Found: %(found)s"
            )
            % {"found": ", ".join(rows[0]) or "—"}
        )
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)d rows. Split it.") % {"max": MAX_ROWS})
    return Table(headers=headers, rows=rows[1:], notice=notice, lines=lines)


def check_rows(table: Table, group: Group) -> list[RowResult]:
    county_code = group.ward.county.code if group.ward else None
    # Only the group's own records: whether the organisation knows a number elsewhere is never revealed.
    existing = {
        c.phone_hash: c.pk
        for c in Contact.objects.filter(
            organisation=group.organisation, scope=Contact.group_scope(group.pk)
        ).only("pk", "phone_hash")
    }
    members = set(GroupMembership.objects.filter(group=group).values_list("contact_id", flat=True))
    seen: dict[str, int] = {}
    results = []
    for offset, raw in enumerate(table.rows):
        values = {key: raw[i].strip() if i < len(raw) else "" for i, key in enumerate(table.headers) if key}
        result = RowResult(line=table.line(offset), values=values)
        _check_row(result, county_code)
        if result.phone:
            digest = lookup_hash(result.phone)
            if digest in seen:
                result.errors.append(
                    _("This phone number is already on line %(line)d of the file.") % {"line": seen[digest]}
                )
            else:
                seen[digest] = result.line
            result.existing_contact_id = existing.get(digest)
            if result.existing_contact_id in members:
                result.already_member = True
                result.warnings.append(_("Already a member of this group: will be skipped."))
        results.append(result)
    return results


def _check_row(result: RowResult, county_code: int | None) -> None:
    v = result.values
    if not v.get("name"):
        result.errors.append(_("The name is missing."))
    elif len(v["name"]) > 120:
        result.errors.append(_("The name is longer than 120 characters."))
    try:
        result.phone = normalise_phone(v.get("phone", ""))
    except InvalidPhone as exc:
        result.errors.append(str(exc))
    for key, table, label in (
        ("language", _LANGUAGES, _("language")),
        ("gender", _GENDERS, _("gender")),
        ("role", _ROLES, _("role")),
    ):
        cell = v.get(key, "").lower()
        if cell and cell not in table:
            result.errors.append(_("Unknown %(what)s “%(value)s”.") % {"what": label, "value": v[key]})
    age = v.get("age_band", "")
    if age and age_band(age) is None:
        result.errors.append(
            _("Unknown age “%(value)s”: give an age in years or a band like 25-35.") % {"value": age}
        )
    consent = v.get("consent", "").lower()
    if consent not in _YES and consent not in _NO:
        result.errors.append(_("Consent must be yes or no, not “%(value)s”.") % {"value": v["consent"]})
    place = v.get("settlement", "")
    if place:
        found = _best(place, "settlement", county_code)
        if found is None:
            result.errors.append(_("Unknown settlement or village “%(value)s”.") % {"value": place})
        else:
            s = Settlement.objects.filter(pk=found.settlement_id).first() if found.settlement_id else None
            if s:
                result.settlement_id = s.pk
                result.ward_id = s.ward_id
    ward_text = v.get("ward", "")
    if ward_text:
        ward = Ward.objects.filter(code=int(ward_text)).first() if ward_text.isdigit() else None
        if ward is None and not ward_text.isdigit():
            found = _best(ward_text, "ward", county_code)
            ward = Ward.objects.filter(code=found.ward_code).first() if found and found.ward_code else None
        if ward is None:
            result.errors.append(_("Unknown ward “%(value)s”.") % {"value": ward_text})
        else:
            result.ward_id = ward.pk


def _best(text: str, kind: str, county_code: int | None) -> PlaceCandidate | None:
    candidates = [c for c in find_places(text, limit=10, county_code=county_code) if c.kind == kind]
    if not candidates or candidates[0].score < 0.8:
        return None
    return candidates[0]


def age_band(text: str) -> str | None:
    t = text.strip().lower().replace(" ", "").replace("–", "-")
    bands = {"u18": "u18", "under18": "u18", "<18": "u18", "18-24": "18_24", "25-35": "25_35",
             "36-59": "36_59", "60+": "60_plus", "60plus": "60_plus", "60andover": "60_plus"}  # fmt: skip
    if t in bands:
        return bands[t]
    if t.isdigit():
        years = int(t)
        if not 5 <= years <= 120:
            return None
        if years < 18:
            return "u18"
        if years <= 24:
            return "18_24"
        if years <= 35:
            return "25_35"
        if years <= 59:
            return "36_59"
        return "60_plus"
    return None


def normalised(result: RowResult) -> dict[str, str]:
    v = result.values
    return {
        "language": _LANGUAGES.get(v.get("language", "").lower(), ""),
        "gender": _GENDERS.get(v.get("gender", "").lower(), ""),
        "role": _ROLES.get(v.get("role", "").lower(), "member"),
        "age_band": age_band(v["age_band"]) or "" if v.get("age_band") else "",
        "consent": "yes" if v.get("consent", "").lower() in _YES else "",
    }
