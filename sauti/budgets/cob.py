"""Parse a county's chapter of the Controller of Budget's County Budget Implementation Review Report (CBIRR).

Pure (no Django, no database): text in, rows out. The input is text extracted from the PDF by someone else's
pipeline, with its artefacts: kerning splits ("Y outh", "W ARD"), cells wrapped over several lines with
words broken at a line-final hyphen ("stadi-" / "um"), "=== Page N ===" markers followed by the printed
page number and the running head, and each table's header repeated on every page it spans.

Two tables are read:

- "List of Development Projects with the Highest Expenditure": No., sector, project name, location,
  expected completion date, contract sum, amount paid in the year, cumulative expenditure, % complete.
- "Budget Allocation and Absorption Rate by Department": department, then ten figures (budget, exchequer
  issues, expenditure, expenditure to exchequer %, absorption % — each recurrent and development), and the
  published Total row.

Column boundaries are lost in the extraction. A development-project row is cut into cells this way: the row
ends on the line carrying the figures (date, three amounts, a percentage); the location is the run of
ALL-CAPS text just before the figures; of the lines before it, the sector is the first cell (it ends on the
first line without a trailing space that is not a broken word — the extraction keeps the space at the end
of every wrapped line inside a cell) and the rest is the project name. When that cue is missing (text that
lost its trailing spaces), the sector is the prefix of lines most like one of the departments of the same
chapter. Nothing is guessed silently: a row that cannot be cut is returned as rejected, with the reason.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

PAGE_MARK = re.compile(r"^=== Page (\d+) ===\s*$")
RUNNING_HEAD = re.compile(
    r"^\s*(COUNTY GOVERNMENTS BUDGET IMPLEMENTATION REVIEW REPORT.*|AUGUST\s*,\s*\d{4}\s*)$"
)
PRINTED_PAGE = re.compile(r"^\s*\d{1,4}\s*$")
CHAPTER = re.compile(r"^\s*3\.(\d+)\.\s+County Government of (.+?)\s*$")
FY = re.compile(r"FY\s*(\d{4})/(\d{2})")
TABLE = re.compile(r"^\s*Table\s+(\d+\.\d+)\s*:\s*(.+?)\s*$")
SOURCE_LINE = re.compile(r"^\s*Source\s*:")
# Letters whose overhang makes PDF extractors put a space after them ("Y outh", "W ARD", "T ransport").
KERNING = re.compile(r"\b([FPTVWY]) (?=[a-z]{2}|[A-Z]{2})")
AMOUNT = r"-|\(?\d{1,3}(?:,\d{3})+(?:\.\d+)?\)?|\(?\d+(?:\.\d+)?\)?|-?\d[\d,]*(?:\.\d+)?"
PROJECT_TAIL = re.compile(
    rf"^(?P<before>.*?)\s*(?<!\S)(?P<date>N/A|n/a|-|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\w+\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    rf"\s+(?P<contract>{AMOUNT})\s+(?P<paid>{AMOUNT})\s+(?P<cumulative>{AMOUNT})\s+(?P<pct>{AMOUNT})%?\s*$"
)
ROW_START = re.compile(r"^\s*(\d{1,4})\s*(?:$|\s(.*)$)")
DEPT_TAIL = re.compile(rf"^(?P<name>.*?)\s*(?<!\S)(?P<figures>(?:(?:{AMOUNT})\s+){{9}}(?:{AMOUNT}))\s*$")
UPPER_LINE = re.compile(r"^[A-Z0-9][A-Z0-9 ,.&'’/()-]*$")

PROJECTS_TITLE = "list of development projects"
DEPARTMENTS_TITLE = "absorption rate by department"
DEPARTMENT_COLUMNS = (
    "budget_rec",
    "budget_dev",
    "exchequer_rec",
    "exchequer_dev",
    "expenditure_rec",
    "expenditure_dev",
    "exp_to_exchequer_rec_pct",
    "exp_to_exchequer_dev_pct",
    "absorption_rec_pct",
    "absorption_dev_pct",
)
MONEY_COLUMNS = DEPARTMENT_COLUMNS[:6]


class CobError(ValueError):
    """The text is not a usable CoB chapter for the county asked (a message for people, in English;
    the caller translates through `code`)."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Rejected:
    table: str
    page: int | None
    row: str
    reason: str  # a code, translated by the caller
    text: str = ""


@dataclass
class ProjectRow:
    row_no: int
    page: int | None
    sector: str
    name: str
    location: str
    expected_completion: str
    contract_sum: Decimal | None
    paid: Decimal | None
    cumulative: Decimal | None
    pct_complete: Decimal | None


@dataclass
class DepartmentRow:
    position: int
    page: int | None
    name: str
    values: dict[str, Decimal | None]
    is_total: bool = False


@dataclass
class Chapter:
    county: str  # as the report writes it
    financial_year: str  # "2024/25"
    title: str
    projects_table: str = ""  # "3.348"
    departments_table: str = ""
    projects: list[ProjectRow] = field(default_factory=list)
    departments: list[DepartmentRow] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def fold(text: str) -> str:
    """For comparing names: no accents, straight apostrophes, lower case, single spaces."""
    text = text.replace("’", "'").replace("‘", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


def fix_kerning(text: str) -> str:
    return KERNING.sub(r"\1", text)


def join_cell(lines: list[str]) -> str:
    """Lines of one wrapped cell as one string: a line-final hyphen between letters is a broken word."""
    out = ""
    for raw in lines:
        line = fix_kerning(raw.strip())
        if not line:
            continue
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[0].isalpha():
            out = out[:-1] + line
        elif out:
            out += " " + line
        else:
            out = line
    return " ".join(out.split())


def parse_amount(token: str) -> Decimal | None:
    """ "26,944,170" -> 26944170; "-" or "" -> None (blank); "(12)" -> -12. ValueError when unreadable."""
    token = token.strip().rstrip("%")
    if token in ("", "-", "–", "—", "N/A", "n/a"):
        return None
    negative = token.startswith("(") and token.endswith(")")
    token = token.strip("()")
    if not re.fullmatch(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", token):
        raise ValueError(token)
    try:
        value = Decimal(token.replace(",", ""))
    except InvalidOperation:
        raise ValueError(token) from None
    return -value if negative else value


@dataclass
class _Line:
    text: str
    page: int | None


def _clean_lines(text: str) -> list[_Line]:
    """Lines without page markers, printed page numbers and running heads, each with its PDF page."""
    out: list[_Line] = []
    page: int | None = None
    after_mark = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        mark = PAGE_MARK.match(raw)
        if mark:
            page, after_mark = int(mark.group(1)), True
            continue
        if after_mark and PRINTED_PAGE.match(raw):
            after_mark = False
            continue
        after_mark = False
        if RUNNING_HEAD.match(raw):
            continue
        out.append(_Line(raw.rstrip("\n"), page))
    return out


def _chapters(lines: list[_Line]) -> list[tuple[int, str]]:
    found = []
    for i, line in enumerate(lines):
        m = CHAPTER.match(line.text)
        if m:
            found.append((i, m.group(2).strip()))
    return found


def _table_start(lines: list[_Line], county: str, title: str, begin: int, end: int) -> tuple[int, str] | None:
    for i in range(begin, end):
        m = TABLE.match(lines[i].text)
        if m and title in fold(m.group(2)) and fold(m.group(2)).startswith(fold(county)):
            return i, m.group(1)
    return None


def _table_end(lines: list[_Line], start: int, end: int) -> int:
    for i in range(start, end):
        if SOURCE_LINE.match(lines[i].text) or TABLE.match(lines[i].text) or CHAPTER.match(lines[i].text):
            return i
    return end


def parse_chapter(text: str, county: str, department_names: list[str] | None = None) -> Chapter:
    """The two tables of `county`'s chapter (`county` as the gazetteer names it, e.g. "Mombasa").

    CobError when the text is not a CoB review chapter, or holds no table for that county.
    """
    if not isinstance(text, str) or not text.strip():
        raise CobError("empty")
    lines = _clean_lines(text)
    chapters = _chapters(lines)
    fy = FY.search(text)
    if not chapters:
        raise CobError("not_cob")
    mine = [(i, name) for i, name in chapters if fold(name) == fold(county)]
    if not mine:
        raise CobError("other_county", found=", ".join(name for _i, name in chapters), county=county)
    begin = mine[0][0]
    later = [i for i, _name in chapters if i > begin]
    end = later[0] if later else len(lines)
    chapter = Chapter(
        county=mine[0][1],
        financial_year=f"{fy.group(1)}/{fy.group(2)}" if fy else "",
        title="County Governments Budget Implementation Review Report"
        + (f" FY {fy.group(1)}/{fy.group(2)}" if fy else ""),
    )
    dept = _table_start(lines, county, DEPARTMENTS_TITLE, begin, end)
    if dept is not None:
        chapter.departments_table = dept[1]
        stop = _table_end(lines, dept[0] + 1, end)
        _parse_departments(lines[dept[0] + 1 : stop], chapter)
    proj = _table_start(lines, county, PROJECTS_TITLE, begin, end)
    if proj is not None:
        chapter.projects_table = proj[1]
        stop = _table_end(lines, proj[0] + 1, end)
        names = department_names or [d.name for d in chapter.departments if not d.is_total]
        _parse_projects(lines[proj[0] + 1 : stop], chapter, county, names)
    if proj is None and dept is None:
        raise CobError("no_tables", county=chapter.county)
    return chapter


# --- Budget by department --------------------------------------------------------------------------

_DEPT_HEADER_WORDS = (
    "department",
    "budget allocation",
    "exchequer issues",
    "(kshs.millions)",
    "expenditure (kshs.",
    "millions)",
    "expenditure to ex-",
    "chequer issues (%)",
    "absorption rate",
    "(%)",
)
_REC_DEV = re.compile(r"^\s*(Rec\s+Dev\s*){2,}$")


def _is_dept_header(text: str) -> bool:
    t = fold(text)
    return not t or _REC_DEV.match(text) is not None or t in _DEPT_HEADER_WORDS


def _parse_departments(lines: list[_Line], chapter: Chapter) -> None:
    pending: list[_Line] = []
    position = 0
    for line in lines:
        if _is_dept_header(line.text):
            pending = [p for p in pending if not _is_dept_header(p.text)]
            continue
        m = DEPT_TAIL.match(line.text)
        if not m:
            if sum(any(c.isdigit() for c in t) for t in line.text.split()) >= 4:
                # A line of figures that is not ten readable figures: the row is broken, not a name.
                name = join_cell([p.text for p in pending] + [line.text])
                chapter.rejected.append(
                    Rejected(
                        "departments",
                        (pending[0] if pending else line).page,
                        name[:80],
                        "bad_figures",
                        name[:300],
                    )
                )
                pending = []
                continue
            pending.append(line)
            continue
        name_lines = [p.text for p in pending] + [m.group("name")]
        name = join_cell(name_lines).rstrip(". ").strip()
        page = pending[0].page if pending else line.page
        pending = []
        tokens = m.group("figures").split()
        try:
            figures = [parse_amount(t) for t in tokens]
        except ValueError as exc:
            chapter.rejected.append(Rejected("departments", page, name, "bad_number", str(exc)))
            continue
        if not name:
            chapter.rejected.append(Rejected("departments", page, "", "no_name", line.text.strip()))
            continue
        position += 1
        chapter.departments.append(
            DepartmentRow(
                position=position,
                page=page,
                name=name,
                values=dict(zip(DEPARTMENT_COLUMNS, figures, strict=True)),
                is_total=fold(name) == "total",
            )
        )
    leftover = join_cell([p.text for p in pending])
    if leftover:
        chapter.rejected.append(
            Rejected("departments", pending[0].page, leftover[:80], "no_figures", leftover[:300])
        )


# --- Development projects --------------------------------------------------------------------------

_PROJECT_HEADER = re.compile(
    r"^\s*(No\.\s+Sector\s+Project Name.*|tion|Expected|Completion|Date|Contract|sum \(Kshs\)|Amount|paid in the"
    r"|FY \d{4}/\d{2}|\(Kshs\.?\)|Cumulative|Expenditure|as of .*|\d{4}|Implemen-|tation status|\(%\))\s*$"
)


def _strip_project_headers(lines: list[_Line]) -> list[_Line]:
    """Drop every copy of the table's header (it starts with "No. Sector Project Name" and ends with "(%)")."""
    out: list[_Line] = []
    in_header = False
    for line in lines:
        if re.match(r"^\s*No\.\s+Sector\s+Project", line.text):
            in_header = True
            continue
        if in_header:
            if re.match(r"^\s*\(%\)\s*$", line.text):
                in_header = False
                continue
            if _PROJECT_HEADER.match(line.text):
                continue
            in_header = False
        out.append(line)
    return out


def _is_upper(text: str) -> bool:
    t = fix_kerning(text.strip())
    return bool(t) and UPPER_LINE.match(t) is not None and any(c.isalpha() for c in t)


def _sector_split(cells: list[str], county: str, names: list[str]) -> int:
    """How many of the lines belong to the sector cell (0 when it cannot be told)."""
    for i, raw in enumerate(cells):
        if raw != raw.rstrip() or raw.rstrip().endswith("-"):
            continue
        return i + 1 if i + 1 < len(cells) else 0
    # No trailing-space cue: the prefix most like a department of this chapter.
    if not names:
        return 0
    prefix = fold(county)
    best, best_k = 0.0, 0
    for k in range(1, len(cells)):
        sector = fold(join_cell(cells[:k]))
        sector = sector.removeprefix(prefix).lstrip(" -")
        score = max(difflib.SequenceMatcher(None, sector, fold(n)).ratio() for n in names)
        if score > best:
            best, best_k = score, k
    return best_k if best >= 0.6 else 0


def _parse_projects(lines: list[_Line], chapter: Chapter, county: str, names: list[str]) -> None:
    body = _strip_project_headers(lines)
    rows: list[tuple[int, int | None, list[str]]] = []
    current: tuple[int, int | None, list[str]] | None = None
    prefix = fold(county)
    for n, line in enumerate(body):
        start = ROW_START.match(line.text)
        expected = (rows[-1][0] if rows else 0) + 1 if current is None else current[0] + 1
        following = (
            start.group(2) if start and start.group(2) else (body[n + 1].text if n + 1 < len(body) else "")
        )
        sector_next = fold(following).startswith(prefix)
        if (
            start
            and int(start.group(1)) == expected
            and (current is None or _closed(current[2]) or sector_next)
        ):
            if current is not None:
                rows.append(current)
            rest = start.group(2)
            current = (int(start.group(1)), line.page, [rest] if rest else [])
            continue
        if current is None:
            if line.text.strip():
                chapter.rejected.append(Rejected("projects", line.page, "", "outside_row", line.text.strip()))
            continue
        current[2].append(line.text)
    if current is not None:
        rows.append(current)
    for row_no, page, cells in rows:
        parsed = _project_row(row_no, page, cells, county, names)
        if isinstance(parsed, Rejected):
            chapter.rejected.append(parsed)
        else:
            chapter.projects.append(parsed)


def _closed(cells: list[str]) -> bool:
    return any(PROJECT_TAIL.match(c) for c in cells)


def _project_row(
    row_no: int, page: int | None, cells: list[str], county: str, names: list[str]
) -> ProjectRow | Rejected:
    text = " ".join(c.strip() for c in cells)
    tail_at = next((i for i in range(len(cells) - 1, -1, -1) if PROJECT_TAIL.match(cells[i])), None)
    if tail_at is None:
        return Rejected("projects", page, str(row_no), "no_figures", text[:300])
    m = PROJECT_TAIL.match(cells[tail_at])
    assert m is not None
    trailing = [c for c in cells[tail_at + 1 :] if c.strip()]
    if trailing:
        return Rejected("projects", page, str(row_no), "text_after_figures", text[:300])
    before = cells[:tail_at] + ([m.group("before")] if m.group("before").strip() else [])
    # The location: the ALL-CAPS lines just before the figures.
    k = len(before)
    while k > 0 and _is_upper(before[k - 1]):
        k -= 1
    location_lines, rest = before[k:], before[:k]
    if not location_lines:
        return Rejected("projects", page, str(row_no), "no_location", text[:300])
    split = _sector_split(rest, county, names)
    if split == 0:
        return Rejected("projects", page, str(row_no), "no_sector", text[:300])
    sector, name = join_cell(rest[:split]), join_cell(rest[split:])
    try:
        amounts = [parse_amount(m.group(g)) for g in ("contract", "paid", "cumulative", "pct")]
    except ValueError as exc:
        return Rejected("projects", page, str(row_no), "bad_number", str(exc))
    date = m.group("date")
    return ProjectRow(
        row_no=row_no,
        page=page,
        sector=sector,
        name=name,
        location=join_cell(location_lines),
        expected_completion="" if date.upper() in ("N/A", "-") else date,
        contract_sum=amounts[0],
        paid=amounts[1],
        cumulative=amounts[2],
        pct_complete=amounts[3],
    )
