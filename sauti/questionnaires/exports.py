"""Exports of a questionnaire's submissions, KoBo-style: one row per submission, one column per question
(select_multiple also split into `question/choice` 0/1 columns), `_id`, `_uuid`, `_submission_time`,
`_version`, `_flagged`; values as names (re-import into KoBo-style analysis) or as labels in en/sw.
The columns are those of every version that has submissions: the current version's questions first, then
older versions' (newest first), each labelled by the version that defines it. Repeat groups are exported
as KoBo does: one more sheet per repeat in the XLSX (one CSV each, `?repeat=<name>`), a row per instance
with `_index`, `_parent_table_name`, `_parent_index` and `_submission__id` (the main sheet's `_id`),
`_submission__uuid`. Identities never appear: names and phone numbers given as such live in encrypted
Contacts, and free text is redacted for exporters who may not see identities (questionnaires.texts)."""

from __future__ import annotations

import csv
import io
import json
import math
import operator
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.db import connection
from django.db.models import F, TextField
from django.db.models.functions import Cast

from sauti.monitoring.texts import TextPolicy
from sauti.questionnaires.models import Questionnaire, Submission
from sauti.questionnaires.repeats import chain, entries, nested
from sauti.questionnaires.repeats import parents as repeat_parents
from sauti.questionnaires.results import choice_label, choice_names_of, label_of
from sauti.questionnaires.texts import redact_cells

META = ("_id", "_uuid", "_submission_time", "_version", "_flagged", "_ward")
REPEAT_META = ("_index", "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid")


def _safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is exported with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_spec(form: Questionnaire) -> dict[str, Any]:
    """The current version's spec with the questions of older versions that have submissions added after
    its own (newest version first; a question is known by its name and repeat, as answers are). A choice
    list an older version defines otherwise than the current one is kept under its own name, so its
    labels are that version's."""
    assert form.current is not None
    current = form.current.spec
    spec: dict[str, Any] = {
        **current,
        "questions": list(current["questions"]),
        "choices": dict(current.get("choices", {})),
    }
    seen = {(q["repeat"], q["name"]) for q in spec["questions"]}
    outer = repeat_parents(current)
    for version in form.versions.exclude(pk=form.current.pk).order_by("-created_at", "-pk"):
        if not Submission.objects.filter(version=version).exists():
            continue
        for q in version.spec["questions"]:
            if (q["repeat"], q["name"]) in seen:
                continue
            seen.add((q["repeat"], q["name"]))
            if q["list"]:
                theirs = version.spec.get("choices", {}).get(q["list"], [])
                if spec["choices"].setdefault(q["list"], theirs) != theirs:
                    q = {**q, "list": f"{q['list']}@{version.version}"}
                    spec["choices"][q["list"]] = theirs
            spec["questions"].append(q)
        for name, parent in repeat_parents(version.spec).items():
            outer.setdefault(name, parent)
    spec["repeats"] = {name: {"parent": parent} for name, parent in outer.items()}
    return spec


def columns(
    form: Questionnaire, spec: dict[str, Any] | None = None, repeat: str = ""
) -> list[tuple[str, dict[str, Any], str]]:
    """(column name, question, choice or "") for every exported column (of a repeat's sheet if named)."""
    spec = spec if spec is not None else export_spec(form)
    out: list[tuple[str, dict[str, Any], str]] = []
    for q in spec["questions"]:
        if q["type"] == "note" or q.get("identity") or q["repeat"] != repeat:
            continue
        path = "/".join([*q["path"], q["name"]])
        out.append((path, q, ""))
        if q["type"] == "select_multiple":
            out.extend((f"{path}/{c}", q, c) for c in choice_names_of(spec, q))
    return out


def repeat_names(spec: dict[str, Any]) -> list[str]:
    """Every repeat, nested ones included, outer ones first."""
    return list(repeat_parents(spec))


def header(
    form: Questionnaire, labels: bool, lang: str, spec: dict[str, Any] | None = None, repeat: str = ""
) -> list[str]:
    spec = spec if spec is not None else export_spec(form)
    names = []
    for col, q, choice in columns(form, spec, repeat):
        if not labels:
            names.append(col)
        elif choice:
            names.append(f"{label_of(q, lang)}/{choice_label(spec, q['list'], choice, lang)}")
        else:
            names.append(label_of(q, lang))
    return [*(_safe(n) for n in names), *(REPEAT_META if repeat else META)]


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
        self.names: list[int] = []
        self.plain: set[Any] = {None}
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
            elif kind == "select_one":
                # Names as they are (one C pass, below); a value that needs the formula guard (not a choice
                # name: another version's data) is found by one set check per row.
                self.names.append(i)
                self.plain |= {c for c in choice_names_of(spec, q) if _safe(c) == c}
                self.keys.append(name)
            elif kind in ("integer", "decimal", "date"):
                self.keys.append(name)
            elif kind == "geopoint":
                self.points.append((i, name))
                self.keys.append(_ABSENT)
            else:
                self.texts.append((i, name))
                self.keys.append(_ABSENT)
        self.width = len(self.keys)
        self.picked = operator.itemgetter(*self.names, *self.names[:1]) if self.names else None

    def cells(self, a: dict[str, Any]) -> list[Any]:
        cells = list(map(a.get, self.keys))
        if self.picked is not None:
            try:
                usual = self.plain.issuperset(self.picked(cells))
            except TypeError:  # a list or dict where a choice is asked (another version's data)
                usual = False
            if not usual:
                for i in self.names:
                    cells[i] = _safe(cells[i])
        for i, name, one in self.labelled:
            v = a.get(name)
            if v is not None:
                if isinstance(v, str):
                    shown = one.get(v)
                    cells[i] = _safe(v) if shown is None else shown
                else:
                    cells[i] = v
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


def _batches(
    form: Questionnaire,
    labels: bool,
    lang: str,
    spec: dict[str, Any] | None = None,
    policy: TextPolicy | None = None,
) -> Iterator[list[list[Any]]]:
    """Rows in batches of `BATCH` (one fetch from the database each), in submission order; free text
    through `policy` (None: as written)."""
    spec = spec if spec is not None else export_spec(form)
    plan = _Plan(spec, columns(form, spec), labels, lang)
    free = [i for i, _name in plan.texts]
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
            redact_cells(policy, form.organisation_id, out, free)
            yield out


def _repeat_batches(
    form: Questionnaire, labels: bool, lang: str, spec: dict[str, Any], repeat: str, policy: TextPolicy | None
) -> Iterator[list[list[Any]]]:
    """The rows of a repeat's sheet: one per entry, in submission order, tied to the row of the sheet
    around it, as KoBo does: `_parent_index` is the `_index` of the entry of the repeat around it (its
    sheet's row) for a repeat inside a repeat, the main sheet's `_id` for a repeat of the form itself."""
    plan = _Plan(spec, columns(form, spec, repeat), labels, lang)
    free = [i for i, _name in plan.texts]
    path = chain(spec, repeat)
    parent_table = path[-2] if len(path) > 1 else form.form_id
    flat = any(repeat_parents(spec).values())
    # Every repeat sheet reads the same submissions, so a parent's running `_index` is counted alike.
    qs = Submission.objects.filter(questionnaire=form, answers__has_any_keys=repeat_names(spec)).order_by(
        "pk"
    )
    out: list[list[Any]] = []
    counters = [0] * len(path)
    last = len(path) - 1
    cells = plan.cells

    def visit(node: Mapping[str, Any], depth: int, parent: int, pk: int, uuid: str) -> None:
        for item in entries(node, path[depth]):
            counters[depth] += 1
            if depth == last:
                out.append([*cells(item), counters[depth], parent_table, parent, pk, uuid])
            else:
                visit(item, depth + 1, counters[depth], pk, uuid)

    for pk, uuid, answers in qs.values_list("pk", "instance_id", "answers").iterator(chunk_size=BATCH):
        if isinstance(answers, dict):
            visit(nested(spec, answers) if flat else answers, 0, pk, pk, _safe(uuid))
        if len(out) >= BATCH:
            redact_cells(policy, form.organisation_id, out, free)
            yield out
            out = []
    if out:
        redact_cells(policy, form.organisation_id, out, free)
        yield out


BATCH = 5000


def _when(at: Any) -> str:
    if isinstance(at, datetime):
        return at.isoformat()
    return str(at).replace(" ", "T", 1)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    form: Questionnaire, labels: bool, lang: str, policy: TextPolicy | None = None, repeat: str = ""
) -> Iterator[str]:
    """The CSV (of the main sheet, or of a repeat's) in chunks of one batch of rows each (a chunk per row
    costs more in the response than the rows themselves)."""
    spec = export_spec(form)
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header(form, labels, lang, spec, repeat))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    batches = (
        _repeat_batches(form, labels, lang, spec, repeat, policy)
        if repeat
        else _batches(form, labels, lang, spec, policy)
    )
    for batch in batches:
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


def _book_parts(sheets: list[str]) -> dict[str, str]:
    """The workbook's parts that name its sheets (the first is the main one, then one per repeat)."""
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    names = "".join(
        f'<sheet name="{xml_escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, 1)
    )
    return {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>{overrides}'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{names}</sheets></workbook>'
        ),
    }


def _sheet_names(form: Questionnaire, repeats: list[str]) -> list[str]:
    out: list[str] = []
    for name in [form.form_id, *repeats]:
        clean = re.sub(r"[\\/*?:\[\]]", "_", name)[:31] or "data"
        while clean.lower() in (o.lower() for o in out):
            clean = f"{clean[:28]}_{len(out)}"
        out.append(clean)
    return out


_PARTS = {
    "_rels/.rels": (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
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


_LOOSE: frozenset[type] = frozenset(
    {bool, float}
)  # equal to an int of the same value (False == 0, 1.0 == 1), written otherwise


class _Cells:
    """The XML of a cell, remembered for values that repeat (choices, labels, 0/1, wards): most cells of an
    export are one of a few values, so most rows are joined from strings already made. True/False and
    floats are never remembered nor looked up (False == 0 and 1.0 == 1, but the CSV writes them False and
    1.0): keying by (type, value) instead cost a third of the XLSX's speed."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self.known: dict[Any, str] = {}

    def row(self, values: list[Any]) -> str:
        known = self.known
        try:
            parts = list(map(known.get, values))
        except TypeError:  # an unhashable value in an answer of another version: made, not remembered
            return "<row>" + "".join(map(_xml_cell, values)) + "</row>"
        if _LOOSE.isdisjoint(map(type, values)):
            if None in parts:
                for i, part in enumerate(parts):
                    if part is None:
                        value = values[i]
                        parts[i] = part = _xml_cell(value)
                        if len(known) < self.LIMIT:
                            known[value] = part
        else:
            for i, value in enumerate(values):
                if type(value) in _LOOSE:
                    parts[i] = _xml_cell(value)
                elif parts[i] is None:
                    parts[i] = part = _xml_cell(value)
                    if len(known) < self.LIMIT:
                        known[value] = part
        return "<row>" + "".join(parts) + "</row>"  # type: ignore[arg-type]


def xlsx_bytes(form: Questionnaire, labels: bool, lang: str, policy: TextPolicy | None = None) -> bytes:
    """The workbook: the main sheet, then one sheet per repeat group, of inline strings and numbers, written
    as XML directly: openpyxl's write-only mode made ~500 rows/s on the bench machine, too slow for 100,000
    submissions (see docs/decisions.md, issue 20). Read back by openpyxl, KoBo-style tools, LibreOffice and
    Excel."""
    out = io.BytesIO()
    cells = _Cells()
    spec = export_spec(form)
    repeats = repeat_names(spec)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text in {**_PARTS, **_book_parts(_sheet_names(form, repeats))}.items():
            book.writestr(name, text)
        for number, repeat in enumerate(["", *repeats], 1):
            with book.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as raw:
                sheet = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                sheet.write(f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>')
                head = header(form, labels, lang, spec, repeat)
                sheet.write("<row>" + "".join(map(_xml_cell, head)) + "</row>")
                batches = (
                    _repeat_batches(form, labels, lang, spec, repeat, policy)
                    if repeat
                    else _batches(form, labels, lang, spec, policy)
                )
                for batch in batches:
                    sheet.write("".join([cells.row(row) for row in batch]))
                sheet.write("</sheetData></worksheet>")
                sheet.flush()
                sheet.detach()
    return out.getvalue()
