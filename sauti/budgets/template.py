"""The project-list template (CSV or XLSX) for adopted budgets, ADPs and CIDPs: columns, reading, examples.

Headers may be in English or Kiswahili (the downloadable examples use one or the other). Figures may carry
thousands separators ("17,392,080"); "-" or an empty cell is a blank. A row whose name is TOTAL / JUMLA is the
published total: it is checked against the sum of the rows, never imported as a project.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from sauti.budgets.cob import fold, parse_amount

# (field, English header, Kiswahili header, required)
COLUMNS: list[tuple[str, str, str, bool]] = [
    ("code", "project_code", "msimbo_wa_mradi", True),
    ("financial_year", "financial_year", "mwaka_wa_fedha", False),
    ("sector", "sector", "sekta", False),
    ("name", "project_name", "jina_la_mradi", True),
    ("location", "location", "mahali", False),
    ("ward_code", "ward_code", "msimbo_wa_wadi", False),
    ("contract_sum", "contract_sum", "gharama_ya_mkataba", False),
    ("paid", "paid", "kilicholipwa", False),
    ("cumulative_expenditure", "cumulative_expenditure", "matumizi_jumla", False),
    ("pct_complete", "pct_complete", "asilimia_iliyokamilika", False),
    ("expected_completion", "expected_completion", "tarehe_ya_kukamilika", False),
]
MONEY_FIELDS = ("contract_sum", "paid", "cumulative_expenditure")
TOTAL_NAMES = {"total", "jumla", "grand total", "jumla kuu"}
MAX_ROWS = 200_000

EXAMPLE_ROWS = {
    "en": [
        [
            "MSA-ADP-001",
            "2025/26",
            "Education",
            "Construction of ECD centre at Amani Primary School",
            "MIKINDANI WARD",
            "8",
            "17,722,207",
            "5,860,582",
            "5,860,582",
            "33",
            "2026-06-30",
        ],
        [
            "MSA-ADP-002",
            "2025/26",
            "Youth, Gender and Sports",
            "Renovation of Bomu Stadium",
            "BOMU",
            "",
            "26,944,170",
            "-",
            "-",
            "",
            "",
        ],
        ["TOTAL", "", "", "TOTAL", "", "", "44,666,377", "5,860,582", "5,860,582", "", ""],
    ],
    "sw": [
        [
            "MSA-ADP-001",
            "2025/26",
            "Elimu",
            "Ujenzi wa kituo cha ECD Shule ya Msingi Amani",
            "WADI YA MIKINDANI",
            "8",
            "17,722,207",
            "5,860,582",
            "5,860,582",
            "33",
            "2026-06-30",
        ],
        [
            "MSA-ADP-002",
            "2025/26",
            "Vijana, Jinsia na Michezo",
            "Ukarabati wa Uwanja wa Bomu",
            "BOMU",
            "",
            "26,944,170",
            "-",
            "-",
            "",
            "",
        ],
        ["JUMLA", "", "", "JUMLA", "", "", "44,666,377", "5,860,582", "5,860,582", "", ""],
    ],
}


class TemplateError(ValueError):
    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Row:
    number: int  # the line in the file (header = 1)
    values: dict[str, str]


def example_csv(language: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c[2] if language == "sw" else c[1] for c in COLUMNS])
    writer.writerows(EXAMPLE_ROWS["sw" if language == "sw" else "en"])
    return out.getvalue()


def example_xlsx(language: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([c[2] if language == "sw" else c[1] for c in COLUMNS])
    for row in EXAMPLE_ROWS["sw" if language == "sw" else "en"]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header_map(header: list[str]) -> dict[int, str]:
    known = {}
    for field, en, sw, _required in COLUMNS:
        known[fold(en)] = field
        known[fold(sw)] = field
        known[fold(en.replace("_", " "))] = field
        known[fold(sw.replace("_", " "))] = field
    mapping: dict[int, str] = {}
    for i, name in enumerate(header):
        found = known.get(fold(name.lstrip("\ufeff")))
        if found is not None:
            mapping[i] = found
    present = set(mapping.values())
    missing = [en for field, en, _sw, required in COLUMNS if required and field not in present]
    if missing:
        raise TemplateError("missing_columns", columns=", ".join(missing))
    return mapping


def _rows(table: Iterator[list[str]]) -> Iterator[Row]:
    try:
        header = next(table)
    except StopIteration:
        raise TemplateError("empty") from None
    mapping = _header_map([str(h or "") for h in header])
    for n, cells in enumerate(table, start=2):
        if n > MAX_ROWS + 1:
            raise TemplateError("too_many_rows", limit=str(MAX_ROWS))
        if not any(str(c or "").strip() for c in cells):
            continue
        values = {field: "" for field, *_ in COLUMNS}
        for i, cell in enumerate(cells):
            if i in mapping:
                values[mapping[i]] = _text(cell)
        yield Row(n, values)


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def read_csv(data: bytes) -> Iterator[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError("not_utf8") from None
    if "\x00" in text:
        raise TemplateError("not_text")
    return _rows(iter(csv.reader(io.StringIO(text))))


def read_xlsx(data: bytes) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise TemplateError("not_xlsx") from None
    sheet = book.worksheets[0]
    return _rows([_text(c) for c in row] for row in sheet.iter_rows(values_only=True))


def is_total(row: Row) -> bool:
    return fold(row.values["name"]) in TOTAL_NAMES or fold(row.values["code"]) in TOTAL_NAMES


def amounts(row: Row) -> dict[str, Decimal | None]:
    """The row's figures; ValueError naming the first unreadable one."""
    out: dict[str, Decimal | None] = {}
    for field in (*MONEY_FIELDS, "pct_complete"):
        raw = row.values[field].replace(" ", "").replace("KES", "").replace("Kshs.", "")
        try:
            out[field] = parse_amount(raw)
        except ValueError:
            raise ValueError(field) from None
    return out
