"""Reading and checking an organisation's XLSForm, then converting it with pyxform.

Everything a coordinator can get wrong is reported as a `FormError` whose message (translated) names the
sheet and the row: our own checks run first (macros, formulas, size, unknown types, duplicate names,
missing choice lists, broken relevance/constraint expressions, wrongly decoded text), then pyxform's, whose
English message is kept after ours. The result is a `ParsedForm`: the clean sheets, the XForm XML and the
`spec` (questions in order, choices, settings) that the web form, SMS, results and exports read.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from sauti.monitoring.openrosa.xlsform import workbook_bytes

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a zip bomb is refused before openpyxl inflates it
MAX_ROWS = 2000  # per sheet; a questionnaire people answer is far shorter
MAX_CELL = 2000
ROOT = "data"
SHORT_TYPES = ("select_one", "select_multiple", "integer")
MAX_SHORT_QUESTIONS = 8

QUESTION_TYPES = {
    "text", "integer", "int", "decimal", "date", "time", "datetime", "geopoint", "geotrace", "geoshape",
    "image", "audio", "video", "file", "barcode", "note", "calculate", "acknowledge", "range", "hidden",
    "start", "end", "today", "deviceid", "phonenumber", "username", "email", "audit", "trigger",
    "start-geopoint", "background-audio",
}  # fmt: skip
SELECT_TYPES = {"select_one", "select_multiple", "select one", "select multiple", "rank"}
GROUP_OPEN = {"begin group", "begin_group", "begin repeat", "begin_repeat"}
GROUP_CLOSE = {"end group", "end_group", "end repeat", "end_repeat"}
META_TYPES = {"start", "end", "today", "deviceid", "phonenumber", "username", "email", "audit", "calculate",
              "hidden", "start-geopoint", "background-audio"}  # fmt: skip
IDENTITY_NAMES = {
    "name": "name", "full_name": "name", "respondent_name": "name", "your_name": "name", "jina": "name",
    "phone": "phone", "phone_number": "phone", "respondent_phone": "phone", "simu": "phone",
}  # fmt: skip
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "choice_filter", "required", "repeat_count")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
REF_RE = re.compile(r"\$\{([^}]*)\}")
LANG_CODES = {"en": "en", "english": "en", "sw": "sw", "swa": "sw", "kiswahili": "sw", "swahili": "sw"}


class FormError(ValueError):
    """A problem with an uploaded form, in words the coordinator can act on (sheet and row named)."""

    def __init__(self, message: str, sheet: str = "", row: int | None = None) -> None:
        super().__init__(message)
        self.sheet, self.row = sheet, row


def _at(sheet: str, row: int | None) -> str:
    if row is None:
        return _("Sheet “%(sheet)s”") % {"sheet": sheet}
    return _("Sheet “%(sheet)s”, row %(row)d") % {"sheet": sheet, "row": row}


def fail(sheet: str, row: int | None, message: str) -> FormError:
    return FormError(f"{_at(sheet, row)}: {message}", sheet, row)


Row = tuple[int, dict[str, str]]  # (row number in the sheet, header -> text)


@dataclass
class ParsedForm:
    form_id: str
    title: str
    version: str
    sheets: dict[str, list[list[str]]]
    xml: str
    md5: str
    spec: dict[str, Any]
    xlsx: bytes
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def question_count(self) -> int:
        return len(self.spec["questions"])


# --- reading the workbook ----------------------------------------------------------------------------


def _looks_misdecoded(text: str) -> bool:
    """Text that went through the wrong encoding: replacement characters, control characters, lone
    surrogates, or UTF-8 bytes read as Latin-1/Windows-1252 ("Ã©" for "é")."""
    if "\ufffd" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return True
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        return True
    if re.search("[\u00c2-\u00f4][^\x00-\x7f]", text):
        try:
            text.encode("cp1252").decode("utf-8")
            return True
        except (UnicodeEncodeError, UnicodeDecodeError):
            return False
    return False


def _cell_text(sheet: str, row: int, column: str, cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if getattr(cell, "data_type", "") == "f" or (isinstance(value, str) and value.startswith("=")):
        raise fail(
            sheet,
            row,
            _("column “%(column)s” holds a formula; type the value itself (formulas are not read).")
            % {"column": column or "?"},
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()[:10]
    text = str(value).strip()
    if len(text) > MAX_CELL:
        raise fail(
            sheet,
            row,
            _("column “%(column)s” is longer than %(max)d characters.") % {"column": column, "max": MAX_CELL},
        )
    if _looks_misdecoded(text):
        raise fail(
            sheet,
            row,
            _(
                "column “%(column)s” holds text in a wrong encoding (not UTF-8), e.g. “%(text)s”; "
                "save the file again as .xlsx with the text typed in Unicode."
            )
            % {"column": column, "text": text[:40]},
        )
    return text


def read_workbook(data: bytes, filename: str = "form.xlsx") -> dict[str, list[Row]]:
    """The sheets of an uploaded .xlsx as rows of header -> text, refusing what cannot be trusted."""
    from openpyxl import load_workbook

    lower = filename.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlam")):
        raise FormError(_("Workbooks with macros (.xlsm) are not accepted: save the form as .xlsx."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise FormError(_("The file is larger than 5 MB; an XLSForm is much smaller."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise FormError(
            _("The file is not an .xlsx workbook (XLSForm). Save it as .xlsx and try again.")
        ) from None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise FormError(_("Workbooks with macros (.xlsm) are not accepted: save the form as .xlsx."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise FormError(_("The file is larger than 5 MB; an XLSForm is much smaller."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds (KeyError, XML errors, ValueError, …)
        raise FormError(
            _("The workbook could not be read (damaged, or text not in UTF-8). Save it again as .xlsx.")
        ) from None
    sheets: dict[str, list[Row]] = {}
    try:
        for ws in book.worksheets:
            name = ws.title.strip().lower()
            if name not in ("survey", "choices", "settings", "external_choices"):
                continue
            sheets[name] = _read_sheet(name, ws)
    except FormError:
        raise
    except Exception:
        raise FormError(
            _("The workbook could not be read (damaged, or text not in UTF-8). Save it again as .xlsx.")
        ) from None
    finally:
        book.close()
    return sheets


def _read_sheet(name: str, ws: Any) -> list[Row]:
    header: list[str] = []
    written: list[str] = []  # the header as the file wrote it, for messages
    rows: list[Row] = []
    for number, cells in enumerate(ws.iter_rows(), start=1):
        if not header:
            written = [_cell_text(name, number, "", c) for c in cells]
            header = [h.lower() for h in written]
            if not any(header):
                header = []
            continue
        if len(rows) >= MAX_ROWS or number > 10 * MAX_ROWS:  # empty formatted rows count too, past a point
            raise fail(
                name,
                number,
                _("the sheet has more than %(max)d rows; split the questionnaire or remove empty rows.")
                % {"max": MAX_ROWS},
            )
        values = {
            header[i]: _cell_text(name, number, written[i], c)
            for i, c in enumerate(cells)
            if i < len(header) and header[i]
        }
        if any(values.values()):
            rows.append((number, values))
    return rows


# --- checking -----------------------------------------------------------------------------------------


def _lang_of(column: str) -> str:
    """`label::English (en)` -> en; `label::Kiswahili` -> sw; `label` -> "" (the default)."""
    if "::" not in column:
        return ""
    lang = column.split("::", 1)[1].strip().lower()
    m = re.search(r"\(([a-z]{2,3})\)", lang)
    if m:
        return LANG_CODES.get(m.group(1), m.group(1))
    return LANG_CODES.get(lang.split()[0] if lang else "", lang)


def _texts(values: dict[str, str], base: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for column, text in values.items():
        if text and (column == base or column.startswith(f"{base}::")):
            out[_lang_of(column)] = text
    return out


def _split_type(raw: str) -> tuple[str, str]:
    kind = " ".join(raw.split())
    for select in ("select_one", "select_multiple", "select one", "select multiple", "rank"):
        if kind.startswith(select + " "):
            rest = kind[len(select) :].strip()
            if rest.endswith(" or_other"):
                rest = rest[: -len(" or_other")].strip()
            return select.replace(" ", "_"), rest
    return kind.lower(), ""


def _check_expression(sheet: str, row: int, column: str, expr: str, names: set[str]) -> None:
    for ref in REF_RE.findall(expr):
        if ref not in names:
            raise fail(
                sheet,
                row,
                _("the %(column)s expression refers to ${%(name)s}, which is not a question of this form.")
                % {"column": column, "name": ref},
            )
    depth, quote = 0, ""
    for ch in expr:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                break
    stripped = REF_RE.sub("x", expr).strip()
    broken = (
        quote
        or depth != 0
        or "${" in REF_RE.sub("", expr)
        or re.search(r"(=|!=|<|>|\+|-|\*|\band|\bor|\bdiv|\bmod)\s*$", stripped)
        or re.search(r"^\s*(=|<|>|\*|\band\b|\bor\b|\bdiv\b|\bmod\b)", stripped)
        or re.search(r"(^|[^!<>=])=\s*=", stripped)
        or re.search(r"\b(and|or)\s+(and|or)\b", stripped)
    )
    if broken:
        raise fail(
            sheet,
            row,
            _("the %(column)s expression “%(expr)s” is not valid (check quotes, brackets and operators).")
            % {"column": column, "expr": expr[:80]},
        )


def check_sheets(sheets: dict[str, list[Row]]) -> None:
    survey = sheets.get("survey")
    if not survey:
        raise FormError(_("The workbook has no “survey” sheet with questions (type, name, label)."))
    header = set().union(*(v.keys() for _n, v in survey))
    for needed in ("type", "name"):
        if needed not in header:
            raise fail("survey", 1, _("the column “%(column)s” is missing.") % {"column": needed})
    choice_lists: dict[str, set[str]] = {}
    for number, values in sheets.get("choices", []):
        list_name = values.get("list_name", "") or values.get("list name", "")
        name = values.get("name", "")
        if not list_name and not name:
            continue
        if not list_name or not name:
            raise fail("choices", number, _("each choice needs a list_name and a name."))
        if name in choice_lists.setdefault(list_name, set()):
            raise fail(
                "choices",
                number,
                _("the choice “%(name)s” appears twice in the list “%(list)s”.")
                % {"name": name, "list": list_name},
            )
        choice_lists[list_name].add(name)
    names: dict[str, int] = {}
    stack: list[tuple[str, int]] = []
    for number, values in survey:
        raw = values.get("type", "")
        if not raw:
            if values.get("name"):
                raise fail(
                    "survey", number, _("the question “%(name)s” has no type.") % {"name": values["name"]}
                )
            continue
        kind, list_name = _split_type(raw)
        name = values.get("name", "")
        if kind in GROUP_CLOSE:
            closing = "repeat" if "repeat" in kind else "group"
            if not stack or stack[-1][0] != closing:
                raise fail("survey", number, _("“%(type)s” closes nothing that was opened.") % {"type": raw})
            stack.pop()
            continue
        if kind in GROUP_OPEN:
            stack.append(("repeat" if "repeat" in kind else "group", number))
        elif kind in SELECT_TYPES or kind.replace("_", " ") in SELECT_TYPES:
            if not list_name:
                raise fail("survey", number, _("“%(type)s” needs a choice list name.") % {"type": raw})
            if list_name not in choice_lists:
                raise fail(
                    "survey",
                    number,
                    _("the choice list “%(list)s” is not on the “choices” sheet.") % {"list": list_name},
                )
        elif kind not in QUESTION_TYPES:
            raise fail(
                "survey", number, _("“%(type)s” is not a question type XLSForm knows.") % {"type": raw}
            )
        if not name:
            raise fail("survey", number, _("the question has no name."))
        if not NAME_RE.match(name):
            raise fail(
                "survey",
                number,
                _("the name “%(name)s” may hold only letters, digits, _ - . and not start with a digit.")
                % {"name": name[:40]},
            )
        if name in names:
            raise fail(
                "survey",
                number,
                _("the name “%(name)s” is already used on row %(other)d; every name must be unique.")
                % {"name": name, "other": names[name]},
            )
        names[name] = number
    if stack:
        opened, number = stack[-1]
        raise fail(
            "survey", number, _("this %(kind)s is never closed (end group / end repeat).") % {"kind": opened}
        )
    known = set(names)
    for number, values in survey:
        for column in EXPRESSION_COLUMNS:
            expr = values.get(column, "")
            if expr and expr.lower() not in ("yes", "no", "true", "false", "true()", "false()"):
                _check_expression("survey", number, column, expr, known)


# --- converting ---------------------------------------------------------------------------------------


def _rows_to_lists(rows: list[Row]) -> list[list[str]]:
    header: list[str] = []
    for _n, values in rows:
        for key in values:
            if key not in header:
                header.append(key)
    return [header, *([values.get(h, "") for h in header] for _n, values in rows)]


def _pyxform_error(message: str) -> FormError:
    row_match = re.search(r"\[row\s*:\s*(\d+)\]", message)
    sheet_match = re.search(r"'(survey|choices|settings)' sheet", message)
    sheet = sheet_match.group(1) if sheet_match else "survey"
    row = int(row_match.group(1)) if row_match else None
    text = re.sub(r"\[row\s*:\s*\d+\]\s*", "", message).strip()
    return fail(sheet, row, _("pyxform cannot convert the form: %(error)s") % {"error": text[:300]})


def _walk(children: list[dict[str, Any]], rows_by_name: dict[str, dict[str, str]], path: list[str],
          repeat: str, out: list[dict[str, Any]]) -> None:  # fmt: skip
    for child in children:
        kind, name = child.get("type", ""), child.get("name", "")
        if name == "meta":
            continue
        if kind in ("group", "repeat"):
            _walk(child.get("children", []), rows_by_name, [*path, name],
                  name if kind == "repeat" else repeat, out)  # fmt: skip
            continue
        raw = rows_by_name.get(name, {})
        base, list_name = _split_type(raw.get("type", kind))
        if base in META_TYPES:
            continue
        identity = raw.get("identity", "").lower() or IDENTITY_NAMES.get(name.lower(), "")
        out.append(
            {
                "name": name,
                "type": base,
                "list": list_name,
                "label": _texts(raw, "label"),
                "hint": _texts(raw, "hint"),
                "path": path,
                "repeat": repeat,
                "required": raw.get("required", "").lower() in ("yes", "true", "true()"),
                "relevant": raw.get("relevant", ""),
                "constraint": raw.get("constraint", ""),
                "constraint_message": _texts(raw, "constraint_message"),
                "appearance": raw.get("appearance", ""),
                "identity": identity if identity in ("name", "phone") and base == "text" else "",
            }
        )


def _repeats(children: list[dict[str, Any]], rows_by_name: dict[str, dict[str, str]], outer: str,
             out: dict[str, dict[str, str]]) -> None:  # fmt: skip
    """{repeat: {"parent": the repeat around it or "", "count": its repeat_count}}, outer ones first."""
    for child in children:
        kind, name = child.get("type", ""), child.get("name", "")
        if kind == "repeat":
            count = rows_by_name.get(name, {}).get("repeat_count", "")
            out[name] = {"parent": outer, "count": count}
        if kind in ("group", "repeat"):
            _repeats(child.get("children", []), rows_by_name, name if kind == "repeat" else outer, out)


def convert_sheets(sheets: dict[str, list[Row]], *, fallback_id: str = "form") -> ParsedForm:
    from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
    from pyxform.xls2xform import convert  # type: ignore[import-untyped]

    check_sheets(sheets)
    settings_rows = sheets.get("settings", [])
    settings = dict(settings_rows[0][1]) if settings_rows else {}
    form_id = settings.get("form_id", "") or fallback_id
    if not NAME_RE.match(form_id) or len(form_id) > 80:
        raise fail(
            "settings",
            2,
            _("the form_id “%(id)s” may hold only letters, digits, _ - .") % {"id": form_id[:40]},
        )
    lists = {name: _rows_to_lists(rows) for name, rows in sheets.items() if rows}
    lists.setdefault("settings", [["form_id"], [form_id]])
    if "form_id" not in lists["settings"][0]:
        lists["settings"][0].append("form_id")
        lists["settings"][1].append(form_id)
    # Sauti's own settings columns are ours, not pyxform's.
    header = lists["settings"][0]
    keep = [i for i, h in enumerate(header) if h not in ("short", "kind", "sms_keyword", "category")]
    lists["settings"] = [[r[i] for i in keep] for r in lists["settings"]]
    xlsx = workbook_bytes(lists)
    try:
        result = convert(xlsform=xlsx, form_name=ROOT, warnings=[])
    except PyXFormError as exc:
        raise _pyxform_error(str(exc)) from None
    except Exception as exc:  # pyxform raises plain errors on some malformed input
        raise _pyxform_error(str(exc) or exc.__class__.__name__) from None
    xml: str = result.xform
    md5 = hashlib.md5(xml.encode("utf-8"), usedforsecurity=False).hexdigest()
    tree = result._pyxform
    rows_by_name = {v.get("name", ""): v for _n, v in sheets["survey"] if v.get("name")}
    questions: list[dict[str, Any]] = []
    _walk(tree.get("children", []), rows_by_name, [], "", questions)
    repeats: dict[str, dict[str, str]] = {}
    _repeats(tree.get("children", []), rows_by_name, "", repeats)
    choices: dict[str, list[dict[str, Any]]] = {}
    for _n, values in sheets.get("choices", []):
        list_name = values.get("list_name", "") or values.get("list name", "")
        if list_name and values.get("name"):
            choices.setdefault(list_name, []).append(
                {"name": values["name"], "label": _texts(values, "label")}
            )
    version = settings.get("version", "") or md5[:10]
    languages = sorted({lang for q in questions for lang in q["label"]} - {""})
    spec = {
        "questions": questions,
        "choices": choices,
        "languages": languages,
        # Labels of groups and repeats (shown above their answers).
        "groups": {
            name: _texts(row, "label")
            for name, row in rows_by_name.items()
            if " ".join(row.get("type", "").replace("_", " ").split()) in ("begin group", "begin repeat")
        },
        "title": settings.get("form_title", "") or form_id,
        "repeats": repeats,
    }
    return ParsedForm(
        form_id=form_id,
        title=(settings.get("form_title", "") or form_id)[:200],
        version=version[:60],
        sheets=lists,
        xml=xml,
        md5=md5,
        spec=spec,
        xlsx=xlsx,
        settings=settings,
    )


def parse_upload(data: bytes, filename: str = "form.xlsx") -> ParsedForm:
    stem = re.sub(r"[^A-Za-z0-9_]", "_", filename.rsplit("/", 1)[-1].rsplit(".", 1)[0])[:60] or "form"
    if stem[0].isdigit():
        stem = f"f_{stem}"
    return convert_sheets(read_workbook(data, filename), fallback_id=stem)


def short_problem(spec: dict[str, Any]) -> str:
    """Why this form cannot be answered by SMS/USSD ("" when it can)."""
    questions = [q for q in spec["questions"] if q["type"] != "note"]
    if len(questions) > MAX_SHORT_QUESTIONS:
        return _("A short form has at most %(max)d questions; this one has %(n)d.") % {
            "max": MAX_SHORT_QUESTIONS,
            "n": len(questions),
        }
    for q in questions:
        if q["type"] not in SHORT_TYPES or q["repeat"]:
            return _("A short form has only select and integer questions; “%(name)s” is %(type)s.") % {
                "name": q["name"],
                "type": q["type"],
            }
    return ""


# --- the simple builder (a form typed in the browser) -----------------------------------------------


def sheets_from_lines(text: str, title: str, form_id: str) -> dict[str, list[Row]]:
    """One question per line: `type name | English label | Kiswahili label | yes=Yes/Ndiyo, no=No/La`.

    Types: text, integer, decimal, date, geopoint, image, note, select_one, select_multiple.
    """
    survey: list[Row] = []
    choices: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        head = parts[0].split()
        if len(head) != 2:
            raise fail(
                "builder", number, _("start the line with a type and a name, e.g. “integer households”.")
            )
        kind, name = head
        en = parts[1] if len(parts) > 1 else ""
        sw = parts[2] if len(parts) > 2 else en
        row = {
            "type": kind,
            "name": name,
            "label::English (en)": en or name,
            "label::Kiswahili (sw)": sw or en or name,
        }
        if kind in ("select_one", "select_multiple"):
            options = [o.strip() for o in (parts[3] if len(parts) > 3 else "").split(",") if o.strip()]
            if not options:
                raise fail(
                    "builder", number, _("a select question needs choices, e.g. “yes=Yes/Ndiyo, no=No/La”.")
                )
            row["type"] = f"{kind} {name}_list"
            for option in options:
                key, _sep, labels = option.partition("=")
                label_en, _sep, label_sw = labels.partition("/")
                choices.append(
                    (
                        number,
                        {
                            "list_name": f"{name}_list",
                            "name": key.strip(),
                            "label::English (en)": label_en.strip() or key.strip(),
                            "label::Kiswahili (sw)": label_sw.strip() or label_en.strip() or key.strip(),
                        },
                    )
                )
        survey.append((number, row))
    sheets: dict[str, list[Row]] = {
        "survey": survey,
        "settings": [(2, {"form_id": form_id, "form_title": title})],
    }
    if choices:
        sheets["choices"] = choices
    return sheets
