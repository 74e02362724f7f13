"""Exports of a questionnaire's submissions, KoBo-style: one row per submission, one column per question
(select_multiple also split into `question/choice` 0/1 columns), `_id`, `_uuid`, `_submission_time`,
`_version`, `_flagged`; values as names (re-import into KoBo-style analysis) or as labels in en/sw.
Identities never appear: names and phone numbers live in encrypted Contacts."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.db import connection
from django.db.models import F, TextField
from django.db.models.functions import Cast

from sauti.questionnaires.models import Questionnaire, Submission
from sauti.questionnaires.results import choice_label, choice_names_of, label_of

META = ("_id", "_uuid", "_submission_time", "_version", "_flagged", "_ward")


def _safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is exported with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def columns(form: Questionnaire) -> list[tuple[str, dict[str, Any], str]]:
    """(column name, question, choice or "") for every exported column."""
    assert form.current is not None
    out: list[tuple[str, dict[str, Any], str]] = []
    for q in form.current.spec["questions"]:
        if q["type"] == "note" or q.get("identity") or q["repeat"]:
            continue
        path = "/".join([*q["path"], q["name"]])
        out.append((path, q, ""))
        if q["type"] == "select_multiple":
            out.extend((f"{path}/{c}", q, c) for c in choice_names_of(form.current.spec, q))
    return out


def header(form: Questionnaire, labels: bool, lang: str) -> list[str]:
    assert form.current is not None
    names = []
    for col, q, choice in columns(form):
        if not labels:
            names.append(col)
        elif choice:
            names.append(f"{label_of(q, lang)}/{choice_label(form.current.spec, q['list'], choice, lang)}")
        else:
            names.append(label_of(q, lang))
    return [*(_safe(n) for n in names), *META]


_ABSENT = "\x00absent"  # a key no answer has: the cell starts as None (written empty) and is filled below


class _Plan:
    """How one export turns a submission's answers into its cells, worked out once per export.

    Most cells are an answer as it is (a choice name, a number, a date): one `map(answers.get, keys)` in C
    gives them all, None (written empty) where a question was not answered. Only the cells that need work
    are then filled in Python: labels of select_one choices, the select_multiple answer and its 0/1 cells
    (memoised per distinct answer, as only a few combinations of choices occur), geopoints, and text
    (neutralised so a spreadsheet does not run it as a formula)."""

    MEMO = 4096

    def __init__(
        self, spec: dict[str, Any], cols: list[tuple[str, dict[str, Any], str]], labels: bool, lang: str
    ):
        self.keys: list[str] = []
        self.labelled: list[tuple[int, str, dict[str, Any]]] = []
        self.multiple: list[
            tuple[int, int, str, list[str], dict[str, Any] | None, dict[tuple[str, ...], list[Any]]]
        ] = []
        self.points: list[tuple[int, str]] = []
        self.texts: list[tuple[int, str]] = []
        for _col, q, choice in cols:
            i, name, kind = len(self.keys), q["name"], q["type"]
            if choice:
                self.keys.append(_ABSENT)
                continue
            if kind == "select_multiple":
                names = choice_names_of(spec, q)
                shown = {c: _safe(choice_label(spec, q["list"], c, lang)) for c in names} if labels else None
                self.multiple.append((i, i + 1 + len(names), name, names, shown, {}))
                self.keys.append(_ABSENT)
            elif kind == "select_one" and labels:
                one = {c: _safe(choice_label(spec, q["list"], c, lang)) for c in choice_names_of(spec, q)}
                self.labelled.append((i, name, one))
                self.keys.append(_ABSENT)
            elif kind in ("select_one", "integer", "decimal", "date"):
                self.keys.append(name)
            elif kind == "geopoint":
                self.points.append((i, name))
                self.keys.append(_ABSENT)
            else:
                self.texts.append((i, name))
                self.keys.append(_ABSENT)
        self.width = len(self.keys)

    def cells(self, a: dict[str, Any]) -> list[Any]:
        cells = list(map(a.get, self.keys))
        for i, name, one in self.labelled:
            v = a.get(name)
            if v is not None:
                cells[i] = one.get(v, v) if isinstance(v, str) else v
        for i, j, name, names, shown, memo in self.multiple:
            v = a.get(name)
            if v is None:
                continue
            key = tuple(v) if isinstance(v, list) else (str(v),)
            block = memo.get(key)
            if block is None:
                picked = set(key)
                text = " ".join(shown.get(x, x) for x in key) if shown is not None else " ".join(key)
                block = [_safe(text), *(1 if c in picked else 0 for c in names)]
                if len(memo) < self.MEMO:
                    memo[key] = block
            cells[i:j] = block
        for i, name in self.points:
            v = a.get(name)
            if isinstance(v, dict):
                cells[i] = f"{v.get('lat')} {v.get('lon')}"
        for i, name in self.texts:
            v = a.get(name)
            if v is not None:
                cells[i] = _safe(v) if isinstance(v, str) else v
        return cells


def rows(form: Questionnaire, labels: bool, lang: str) -> Iterator[list[Any]]:
    for batch in _batches(form, labels, lang):
        yield from batch


def _batches(form: Questionnaire, labels: bool, lang: str) -> Iterator[list[list[Any]]]:
    """Rows in batches of `BATCH` (one fetch from the database each), in submission order."""
    assert form.current is not None
    plan = _Plan(form.current.spec, columns(form), labels, lang)
    qs = Submission.objects.filter(questionnaire=form).order_by("pk")
    at: Any = F("received_at")
    if connection.vendor == "sqlite":  # the stored text: the driver would parse a datetime per row
        at = Cast("received_at", TextField())
    fields = ("pk", "instance_id", "export_at", "version_text", "mismatch", "ward__name", "answers")
    qs = qs.annotate(export_at=at)
    # The compiled SELECT run on a plain cursor: Django's per-value converters cost more than the rest of
    # the export (JSON text and SQLite's datetime text are read as they are; PostgreSQL hands back objects).
    sql, params = qs.values_list(*fields).query.sql_with_params()
    loads, cells, safe = json.loads, plan.cells, _safe
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while fetched := cursor.fetchmany(BATCH):
            out = []
            for pk, uuid, at, version, flagged, ward, answers in fetched:
                row = cells(loads(answers) if isinstance(answers, str) else answers)
                row += (pk, safe(uuid), _when(at), safe(version), int(flagged), ward or "")
                out.append(row)
            yield out


BATCH = 5000


def _when(at: Any) -> str:
    if isinstance(at, datetime):
        return at.isoformat()
    return str(at).replace(" ", "T", 1)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(form: Questionnaire, labels: bool, lang: str) -> Iterator[str]:
    """The CSV in chunks of one batch of rows each (a chunk per row costs more in the response than the
    rows themselves)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header(form, labels, lang))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for batch in _batches(form, labels, lang):
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


_XML_ILLEGAL: dict[int, None] = dict.fromkeys((*range(0, 9), 11, 12, *range(14, 32)))
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PARTS = {
    "[Content_Types].xml": (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'{_HEAD}<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font>'
        '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
        'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/>'
        '<diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
        'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    ),
}


def _xml_cell(value: Any) -> str:
    if value is None:
        return "<c/>"
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return f"<c><v>{value!r}</v></c>"
    text = xml_escape(str(value).translate(_XML_ILLEGAL))
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


class _Cells:
    """The XML of a cell, remembered for values that repeat (choices, labels, 0/1, wards): most cells of an
    export are one of a few values, so most rows are joined from strings already made."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self.known: dict[Any, str] = {}

    def row(self, values: list[Any]) -> str:
        known = self.known
        try:
            parts = list(map(known.get, values))
        except TypeError:  # an unhashable value in an answer of another version: made, not remembered
            return "<row>" + "".join(map(_xml_cell, values)) + "</row>"
        for i, part in enumerate(parts):
            if part is None:
                value = values[i]
                parts[i] = part = _xml_cell(value)
                if len(known) < self.LIMIT:
                    known[value] = part
        return "<row>" + "".join(parts) + "</row>"  # type: ignore[arg-type]


def xlsx_bytes(form: Questionnaire, labels: bool, lang: str) -> bytes:
    """The workbook, one sheet of inline strings and numbers, written as XML directly: openpyxl's
    write-only mode made ~500 rows/s on the bench machine, too slow for 100,000 submissions (see
    docs/decisions.md, issue 20). Read back by openpyxl, KoBo-style tools, LibreOffice and Excel."""
    out = io.BytesIO()
    cells = _Cells()
    sheet_name = xml_escape(re.sub(r"[\\/*?:\[\]]", "_", form.form_id)[:31] or "data", {'"': "&quot;"})
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text in _PARTS.items():
            book.writestr(name, text)
        book.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="{sheet_name}" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            sheet = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            sheet.write(f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>')
            sheet.write("<row>" + "".join(map(_xml_cell, header(form, labels, lang))) + "</row>")
            for batch in _batches(form, labels, lang):
                sheet.write("".join([cells.row(row) for row in batch]))
            sheet.write("</sheetData></worksheet>")
            sheet.flush()
            sheet.detach()
    return out.getvalue()
