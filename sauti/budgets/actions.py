"""Everything that writes budgets data: imports, corrections, ward choices, site observations, proposals.

Published figures are stored as published. Checks (totals, duplicates, payments, progress against what the
community saw) add flags; they never change a figure. Corrections are rows of their own.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.audit import audit
from sauti.budgets import cob, proposals, template
from sauti.budgets.models import (
    BudgetDocument,
    Correction,
    DepartmentBudget,
    Flag,
    Observation,
    Project,
    Proposal,
    ProposalConclusion,
    SiteStatus,
    SubmissionLink,
    WardMatch,
    figure_flags,
    progress_mismatch,
)
from sauti.budgets.resolve import resolve
from sauti.monitoring.actions import ReportError, ReportInput, do_submit_report
from sauti.monitoring.models import Case, Category, ReportChannel
from sauti.people.models import Contact, Office, Organisation, User
from sauti.places.models import County, Ward
from sauti.questionnaires.actions import do_note_finding_event
from sauti.questionnaires.models import Finding, Submission

FORMATS = ("cob-text", "csv", "xlsx")
MAX_FILE_BYTES = 20 * 1024 * 1024
BATCH = 2000
# Sector words -> the seeded category keys (the organisation's own labels are shown).
SECTOR_KEYWORDS: list[tuple[tuple[str, ...], str]] = [
    (("health", "afya", "hospital", "dispensary"), "health"),
    (("education", "elimu", "ecd", "school", "vocational", "polytechnic"), "education"),
    (("water", "maji", "sanitation", "sewer"), "water"),
    (("environment", "mazingira", "climate", "waste", "natural resources"), "environment"),
    (("land", "ardhi", "housing", "urban", "makazi"), "land"),
    (("security", "usalama", "enforcement", "disaster", "fire"), "security"),
    (
        ("transport", "roads", "infrastructure", "public works", "barabara", "youth", "sports", "stadium"),
        "public-projects",
    ),
]
FALLBACK_CATEGORY = "public-projects"  # every budget line is a public project
CORRECTABLE = ("contract_sum", "paid", "cumulative_expenditure", "pct_complete", "expected_completion")


class BudgetError(ValueError):
    """Bad input, with a translated message for the person who sent it."""


def _reason_text(code: str, params: dict[str, str] | None = None) -> str:
    texts = {
        "empty": _("The file is empty."),
        "not_cob": _(
            "This text is not a chapter of the Controller of Budget's county budget implementation review report."
        ),
        "other_county": _("This text holds the chapters for %(found)s, not for %(county)s."),
        "no_tables": _(
            "The chapter for %(county)s has no development-projects or budget-by-department table in this text."
        ),
        "no_figures": _("No figures found for this row (the table may be broken here)."),
        "text_after_figures": _("Text after the row's figures: the row could not be cut into cells."),
        "no_location": _("No project location found before the figures."),
        "no_sector": _("The sector and the project name could not be told apart."),
        "bad_number": _("A figure could not be read: “%(value)s”."),
        "no_name": _("A row has figures but no name."),
        "bad_figures": _("The row's figures are not the ten the table has, or one cannot be read."),
        "outside_row": _("Text outside any numbered row."),
        "missing_columns": _(
            "Columns missing from the header: %(columns)s. Download the template to see them."
        ),
        "not_utf8": _("The CSV file is not UTF-8 text. Save it as “CSV UTF-8”."),
        "not_text": _("The file is not a text CSV."),
        "not_xlsx": _("The file is not an Excel workbook (.xlsx)."),
        "too_many_rows": _("The file has more than %(limit)s rows."),
        "no_code": _("The project code is missing."),
        "no_project_name": _("The project name is missing."),
        "duplicate_code": _("Project code “%(code)s” was already used on row %(row)s of this file."),
        "negative": _("“%(field)s” is negative; a published amount cannot be."),
        "pct_range": _("The percentage complete must be between 0 and 100."),
        "unknown_ward": _("Ward code %(code)s does not exist; the project is kept without a ward."),
    }
    text = str(texts.get(code, code))
    if "%(" not in text:
        return text
    return text % defaultdict(str, params or {})


@dataclass
class ImportResult:
    document: BudgetDocument | None = None
    projects: int = 0
    departments: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reasons: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.reasons)

    def as_json(self) -> dict[str, Any]:
        return {
            "projects": self.projects,
            "departments": self.departments,
            "rejected": self.rejected,
            "reasons": self.reasons,
            "flags": self.flags,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "document": self.document.pk if self.document else None,
        }


def guess_format(filename: str, data: bytes) -> str:
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return "xlsx"
    head = data[:200_000].decode("utf-8", "replace")
    if (
        "=== Page" in head
        or "BUDGET IMPLEMENTATION REVIEW REPORT" in head.upper()
        or filename.lower().endswith(".txt")
    ):
        return "cob-text"
    return "csv"


def category_for(
    org: Organisation, sector: str, cache: dict[str, Category | None] | None = None
) -> Category | None:
    key = ""
    folded = cob.fold(sector)
    for words, category_key in SECTOR_KEYWORDS:
        if any(w in folded for w in words):
            key = category_key
            break
    key = key or FALLBACK_CATEGORY
    if cache is not None and key in cache:
        return cache[key]
    found = Category.objects.filter(organisation=org, key=key).first()
    if cache is not None:
        cache[key] = found
    return found


def do_import(
    org: Organisation,
    county: County,
    filename: str,
    data: bytes,
    *,
    file_format: str | None = None,
    kind: str = "",
    by: User | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one file. Idempotent: the same rows again change nothing. BudgetError for an unusable file."""
    if len(data) > MAX_FILE_BYTES:
        raise BudgetError(_("The file is larger than 20 MB."))
    if not data.strip():
        raise BudgetError(_reason_text("empty"))
    file_format = file_format or guess_format(filename, data)
    if file_format not in FORMATS:
        raise BudgetError(
            _("Unknown format “%(format)s”: use cob-text, csv or xlsx.") % {"format": file_format}
        )
    digest = hashlib.sha256(data).hexdigest()
    if file_format == "cob-text":
        return _import_cob(org, county, filename, data, digest, by)
    return _import_table(org, county, filename, data, digest, file_format, kind or "other", by, progress)


def _document(
    org: Organisation,
    county: County,
    *,
    kind: str,
    title: str,
    fy: str,
    filename: str,
    fmt: str,
    digest: str,
    by: User | None,
) -> BudgetDocument:
    doc = BudgetDocument.objects.filter(organisation=org, county=county, sha256=digest).first()
    if doc is None:
        doc = BudgetDocument.objects.create(
            organisation=org,
            county=county,
            kind=kind,
            title=title[:300],
            financial_year=fy,
            filename=filename[:200],
            file_format=fmt,
            sha256=digest,
            imported_by=by,
        )
    return doc


# --- Controller of Budget chapter -------------------------------------------------------------------


@transaction.atomic
def _import_cob(
    org: Organisation, county: County, filename: str, data: bytes, digest: str, by: User | None
) -> ImportResult:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BudgetError(_reason_text("not_utf8")) from None
    try:
        chapter = cob.parse_chapter(text, county.name)
    except cob.CobError as exc:
        raise BudgetError(_reason_text(exc.code, exc.params)) from None
    doc = _document(
        org, county, kind=BudgetDocument.Kind.COB_REVIEW, title=chapter.title, fy=chapter.financial_year,
        filename=filename, fmt="cob-text", digest=digest, by=by,
    )  # fmt: skip
    result = ImportResult(document=doc)
    for r in chapter.rejected:
        result.reasons.append(
            {
                "table": r.table,
                "page": r.page,
                "row": r.row,
                "reason": _reason_text(r.reason, {"value": r.text}),
                "text": r.text[:300],
            }
        )
    _store_departments(org, county, chapter, doc, result)
    rows = []
    for p in chapter.projects:
        rows.append(
            _ProjectIn(
                code=f"cob:{chapter.financial_year}:{chapter.projects_table}:{p.row_no}",
                financial_year=chapter.financial_year,
                name=p.name,
                sector=p.sector,
                location=p.location,
                ward_code=None,
                contract_sum=p.contract_sum,
                paid=p.paid,
                cumulative=p.cumulative,
                pct=p.pct_complete,
                expected=p.expected_completion,
                page=p.page,
                row=p.row_no,
            )
        )
    _store_projects(org, county, doc, rows, result, None)
    doc.summary = result.as_json() | {"document": doc.pk}
    doc.save(update_fields=["summary"])
    return result


def _store_departments(
    org: Organisation, county: County, chapter: cob.Chapter, doc: BudgetDocument, result: ImportResult
) -> None:
    fy = chapter.financial_year
    existing = {
        d.name: d for d in DepartmentBudget.objects.filter(organisation=org, county=county, financial_year=fy)
    }
    for row in chapter.departments:
        flags = []
        budget, spent, pct = (
            row.values["budget_dev"],
            row.values["expenditure_dev"],
            row.values["absorption_dev_pct"],
        )
        for kind in ("rec", "dev"):
            budget, spent, pct = (
                row.values[f"budget_{kind}"],
                row.values[f"expenditure_{kind}"],
                row.values[f"absorption_{kind}_pct"],
            )
            if budget and spent is not None and pct is not None and abs(spent / budget * 100 - pct) > 1:
                flags.append(f"absorption_{kind}")
                result.flags.append(
                    {
                        "code": "absorption_mismatch",
                        "department": row.name,
                        "column": f"absorption_{kind}_pct",
                        "published": str(pct),
                        "computed": str(round(spent / budget * 100, 1)),
                        "message": _(
                            "%(department)s: published absorption %(published)s%% but expenditure / budget is %(computed)s%%."
                        )
                        % {
                            "department": row.name,
                            "published": pct,
                            "computed": round(spent / budget * 100, 1),
                        },
                    }
                )
        values: dict[str, Any] = dict(row.values)
        dept = existing.get(row.name)
        if dept is None:
            DepartmentBudget.objects.create(
                organisation=org, county=county, financial_year=fy, name=row.name, position=row.position,
                is_total=row.is_total, document=doc, source_page=row.page, flags=flags, **values,
            )  # fmt: skip
            result.created += 1
        else:
            changed = any(getattr(dept, k) != v for k, v in values.items()) or dept.flags != flags
            if changed or dept.position != row.position:
                for k, v in values.items():
                    setattr(dept, k, v)
                dept.flags, dept.position, dept.document, dept.source_page = (
                    flags,
                    row.position,
                    doc,
                    row.page,
                )
                dept.save()
                result.updated += 1
            else:
                result.unchanged += 1
        result.departments += 1
    # The published total against the sum of the departments, column by column.
    totals = [d for d in chapter.departments if d.is_total]
    parts = [d for d in chapter.departments if not d.is_total]
    if totals and parts:
        total = totals[0]
        for column in cob.MONEY_COLUMNS:
            published = total.values[column]
            summed = sum((d.values[column] or Decimal(0) for d in parts), Decimal(0))
            if published is not None and abs(summed - published) > Decimal("0.01") * len(parts):
                result.flags.append(
                    {
                        "code": "total_mismatch",
                        "column": column,
                        "published": str(published),
                        "sum": str(summed),
                        "message": _(
                            "The departments add up to %(sum)s in “%(column)s”, but the published total is %(published)s."
                        )
                        % {"sum": summed, "column": column, "published": published},
                    }
                )
    elif parts and not totals:
        result.flags.append(
            {"code": "no_total", "message": _("The department table has no Total row to check.")}
        )


# --- Project rows (CoB table and CSV/XLSX template) ---------------------------------------------------


@dataclass
class _ProjectIn:
    code: str
    financial_year: str
    name: str
    sector: str
    location: str
    ward_code: int | None
    contract_sum: Decimal | None
    paid: Decimal | None
    cumulative: Decimal | None
    pct: Decimal | None
    expected: str
    page: int | None
    row: int | None
    bad_ward: bool = False


def _import_table(
    org: Organisation,
    county: County,
    filename: str,
    data: bytes,
    digest: str,
    fmt: str,
    kind: str,
    by: User | None,
    progress: Callable[[int], None] | None,
) -> ImportResult:
    try:
        reader = template.read_xlsx(data) if fmt == "xlsx" else template.read_csv(data)
        raw_rows = list(reader)
    except template.TemplateError as exc:
        raise BudgetError(_reason_text(exc.code, exc.params)) from None
    if kind not in BudgetDocument.Kind.values:
        kind = BudgetDocument.Kind.OTHER
    valid_wards = set(Ward.objects.filter(county=county).values_list("code", flat=True))
    all_wards = set(Ward.objects.values_list("code", flat=True))
    result = ImportResult()
    rows: list[_ProjectIn] = []
    seen: dict[str, int] = {}
    totals: list[tuple[template.Row, dict[str, Decimal | None]]] = []
    years: set[str] = set()
    for raw in raw_rows:
        v = raw.values

        def reject(reason: str, _row: template.Row = raw, **params: str) -> None:
            result.reasons.append(
                {
                    "row": _row.number,
                    "reason": _reason_text(reason, params),
                    "text": _row.values["name"][:120],
                }
            )

        try:
            figures = template.amounts(raw)
        except ValueError as exc:
            reject("bad_number", value=raw.values[str(exc)])
            continue
        if template.is_total(raw):
            totals.append((raw, figures))
            continue
        code = v["code"].strip()
        if not code:
            reject("no_code")
            continue
        if not v["name"].strip():
            reject("no_project_name")
            continue
        if code in seen:
            reject("duplicate_code", code=code, row=str(seen[code]))
            continue
        negative = [f for f in template.MONEY_FIELDS if (figures[f] or 0) < 0]
        if negative:
            reject("negative", field=negative[0])
            continue
        pct = figures["pct_complete"]
        if pct is not None and not 0 <= pct <= 100:
            reject("pct_range")
            continue
        ward_code: int | None = None
        bad_ward = False
        if v["ward_code"]:
            try:
                ward_code = int(v["ward_code"])
            except ValueError:
                ward_code = -1
            if ward_code not in valid_wards:
                result.reasons.append(
                    {
                        "row": raw.number,
                        "reason": _reason_text("unknown_ward", {"code": v["ward_code"]}),
                        "kept": True,
                        "text": v["name"][:120],
                    }
                ) if ward_code not in all_wards else result.reasons.append(
                    {
                        "row": raw.number,
                        "reason": _(
                            "Ward code %(code)s is not in %(county)s; the project is kept without a ward."
                        )
                        % {"code": v["ward_code"], "county": county.name},
                        "kept": True,
                        "text": v["name"][:120],
                    }
                )
                ward_code, bad_ward = None, True
        seen[code] = raw.number
        years.add(v["financial_year"])
        rows.append(
            _ProjectIn(
                code=code[:80],
                financial_year=v["financial_year"][:9],
                name=v["name"].strip()[:500],
                sector=v["sector"].strip()[:300],
                location=v["location"].strip()[:300],
                ward_code=ward_code,
                contract_sum=figures["contract_sum"],
                paid=figures["paid"],
                cumulative=figures["cumulative_expenditure"],
                pct=pct,
                expected=v["expected_completion"][:40],
                page=None,
                row=raw.number,
                bad_ward=bad_ward,
            )
        )
    # "kept" notes are not rejections.
    kept_notes = [r for r in result.reasons if r.get("kept")]
    result.reasons = [r for r in result.reasons if not r.get("kept")]
    fy = sorted(y for y in years if y)[-1] if any(years) else ""
    titles = dict(BudgetDocument.Kind.choices)
    with transaction.atomic():
        doc = _document(
            org, county, kind=kind, title=f"{titles[kind]} {fy} — {filename}".strip(), fy=fy, filename=filename,
            fmt=fmt, digest=digest, by=by,
        )  # fmt: skip
        result.document = doc
        _store_projects(org, county, doc, rows, result, progress)
        for note in kept_notes:
            result.flags.append(
                {"code": Flag.UNKNOWN_WARD.value, "row": note["row"], "message": note["reason"]}
            )
        for raw, figures in totals:
            for column in template.MONEY_FIELDS:
                published = figures[column]
                key = {"cumulative_expenditure": "cumulative"}.get(column, column)
                summed = sum((getattr(r, key) or Decimal(0) for r in rows), Decimal(0))
                if published is not None and summed != published:
                    result.flags.append(
                        {
                            "code": "total_mismatch",
                            "row": raw.number,
                            "column": column,
                            "published": str(published),
                            "sum": str(summed),
                            "message": _(
                                "The rows add up to %(sum)s in “%(column)s”, but the published total (row %(row)s) is %(published)s."
                            )
                            % {"sum": summed, "column": column, "published": published, "row": raw.number},
                        }
                    )
        doc.summary = result.as_json()
        doc.save(update_fields=["summary"])
    return result


_FIGURES = ("name", "sector_published", "location_published", "contract_sum", "paid", "cumulative_expenditure",
            "pct_complete", "expected_completion", "financial_year", "source_page", "source_row")  # fmt: skip
# Columns written by the import's INSERT (one prepared statement, executemany: see bench/budgets_bench.py).
_INSERT = ("organisation_id", "county_id", "number", "code", "financial_year", "name", "sector_published",
           "category_id", "location_published", "ward_id", "ward_match", "ward_candidates", "contract_sum", "paid",
           "cumulative_expenditure", "pct_complete", "expected_completion", "document_id", "source_page",
           "source_row", "flags", "flagged", "observed_status", "observations_count", "created_at",
           "updated_at")  # fmt: skip


def _insert_projects(rows: list[dict[str, Any]]) -> None:
    """New projects in one prepared INSERT run over all rows (Django's bulk_create compiles every value of every
    row through the field machinery: ~4x slower here, measured in bench/budgets_bench.py)."""
    if not rows:
        return
    ops = connection.ops
    table = connection.ops.quote_name(Project._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in _INSERT)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_INSERT))})"  # noqa: S608
    money = ops.adapt_decimalfield_value
    params = []
    for r in rows:
        params.append(
            tuple(
                money(r[c], 18, 2)
                if c in ("contract_sum", "paid", "cumulative_expenditure")
                else money(r[c], 7, 2)
                if c == "pct_complete"
                else json.dumps(r[c])
                if c in ("ward_candidates", "flags")
                else ops.adapt_datetimefield_value(r[c])
                if c in ("created_at", "updated_at")
                else r[c]
                for c in _INSERT
            )
        )
    with connection.cursor() as cursor:
        for i in range(0, len(params), BATCH):
            cursor.executemany(sql, params[i : i + BATCH])


def _store_projects(
    org: Organisation,
    county: County,
    doc: BudgetDocument,
    rows: Sequence[_ProjectIn],
    result: ImportResult,
    progress: Callable[[int], None] | None,
) -> None:
    codes = [r.code for r in rows]
    existing_qs = Project.objects.filter(organisation=org)
    if len(codes) < 5000:
        existing_qs = existing_qs.filter(code__in=codes)
    existing = {row[0]: row for row in existing_qs.values_list("code", "pk", *_FIGURES)}
    wards = {w.code: w.pk for w in Ward.objects.filter(county=county).only("pk", "code")}
    resolved: dict[str, Any] = {}
    categories: dict[str, Category | None] = {}
    next_number = (Project.objects.filter(organisation=org).aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    new: list[dict[str, Any]] = []
    changed: list[Project] = []
    for i, r in enumerate(rows, start=1):
        values: dict[str, Any] = {
            "name": r.name,
            "sector_published": r.sector,
            "location_published": r.location,
            "contract_sum": r.contract_sum,
            "paid": r.paid,
            "cumulative_expenditure": r.cumulative,
            "pct_complete": r.pct,
            "expected_completion": r.expected,
            "financial_year": r.financial_year,
            "source_page": r.page,
            "source_row": r.row,
        }
        known = existing.get(r.code)
        if known is not None:
            if all(_same(old, values[k]) for k, old in zip(_FIGURES, known[2:], strict=True)):
                result.unchanged += 1
            else:
                project = Project(pk=known[1], document=doc, updated_at=now, **values)
                changed.append(project)
        else:
            if r.sector not in categories:
                categories[r.sector] = category_for(org, r.sector)
            category = categories[r.sector]
            ward_id, match, candidates = None, WardMatch.ASKED.value, []
            if r.ward_code is not None:
                ward_id, match = wards[r.ward_code], WardMatch.CONFIRMED.value
            elif r.location:
                if r.location not in resolved:
                    resolved[r.location] = resolve(r.location, county.code, county.name)
                res = resolved[r.location]
                match, candidates = res.match, res.candidates
                ward_id = wards.get(res.ward_code) if res.ward_code else None
            flags = figure_flags(r.contract_sum, r.paid, r.cumulative, r.pct)
            if r.bad_ward:
                flags.append(Flag.UNKNOWN_WARD.value)
            new.append(
                values
                | {
                    "organisation_id": org.pk,
                    "county_id": county.pk,
                    "number": next_number,
                    "code": r.code,
                    "category_id": category.pk if category else None,
                    "ward_id": ward_id,
                    "ward_match": match,
                    "ward_candidates": candidates,
                    "document_id": doc.pk,
                    "flags": flags,
                    "flagged": bool(flags),
                    "observed_status": "",
                    "observations_count": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            next_number += 1
        if progress is not None and i % BATCH == 0:
            progress(i)
    with transaction.atomic():
        _insert_projects(new)
        if changed:
            Project.objects.bulk_update(changed, [*_FIGURES, "document", "updated_at"], batch_size=BATCH)
    result.created += len(new)
    result.updated += len(changed)
    result.projects += len(rows)
    flagged = refresh_flags(org, county, {r.financial_year for r in rows})
    result.flags.extend(flagged)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(a) == Decimal(b)
    return bool(a == b)


_FLAG_COLUMNS = ("pk", "number", "name", "financial_year", "contract_sum", "paid", "cumulative_expenditure",
                 "pct_complete", "observed_status", "flags", "duplicate_of", "flagged", "source_row", "source_page")  # fmt: skip


def refresh_flags(org: Organisation, county: County, years: Iterable[str]) -> list[dict[str, Any]]:
    """Recompute every project's flags in these financial years of the county; the flags, for the summary."""
    rows = list(
        Project.objects.filter(organisation=org, county=county, financial_year__in=list(years))
        .order_by("number")
        .values_list(*_FLAG_COLUMNS)
    )
    groups: dict[tuple[str, str, Decimal | None], list[int]] = defaultdict(list)
    for row in rows:
        groups[(row[3], cob.fold(row[2]), row[4])].append(row[0])
    out: list[dict[str, Any]] = []
    updates: dict[tuple[str, bool], list[int]] = defaultdict(list)
    duplicates: dict[int, int | None] = {}
    for (
        pk,
        number,
        name,
        year,
        contract,
        paid,
        cumulative,
        pct,
        seen,
        old,
        dup_of,
        was_flagged,
        row_no,
        page,
    ) in rows:
        flags = figure_flags(contract, paid, cumulative, pct)
        twins = groups[(year, cob.fold(name), contract)]
        duplicate_of = None
        if len(twins) > 1:
            flags.append(Flag.LISTED_TWICE.value)
            duplicate_of = twins[0] if twins[0] != pk else None
        if progress_mismatch(seen, contract, cumulative, pct):
            flags.append(Flag.PROGRESS_MISMATCH.value)
        if Flag.UNKNOWN_WARD.value in old:
            flags.append(Flag.UNKNOWN_WARD.value)
        if flags != old or was_flagged != bool(flags):
            updates[(json.dumps(flags), bool(flags))].append(pk)
        if duplicate_of != dup_of:
            duplicates[pk] = duplicate_of
        for f in flags:
            if f == Flag.UNKNOWN_WARD.value:
                continue
            out.append(
                {
                    "code": f,
                    "project": f"P{number}",
                    "name": name,
                    "row": row_no,
                    "page": page,
                    "message": str(Flag(f).label),
                }
            )
    with transaction.atomic():
        for (flags_json, flagged), pks in updates.items():
            for i in range(0, len(pks), BATCH):
                Project.objects.filter(pk__in=pks[i : i + BATCH]).update(
                    flags=json.loads(flags_json), flagged=flagged
                )
        for pk, duplicate_of in duplicates.items():
            Project.objects.filter(pk=pk).update(duplicate_of=duplicate_of)
    return out


def refresh_project_flags(project: Project) -> None:
    refresh_flags(project.organisation, project.county, [project.financial_year])
    project.refresh_from_db()


# --- Corrections and ward choices ------------------------------------------------------------------


@transaction.atomic
def do_correct(project: Project, *, field: str, value: str, reason: str, by: User) -> Correction:
    """Record a corrected figure beside the published one (which stays)."""
    if field not in CORRECTABLE:
        raise BudgetError(_("This figure cannot be corrected."))
    reason = reason.strip()
    if not reason:
        raise BudgetError(_("Say why, and where the corrected figure comes from."))
    value = value.strip()
    if field != "expected_completion":
        try:
            amount = cob.parse_amount(value)
        except ValueError:
            raise BudgetError(_("“%(value)s” is not a number.") % {"value": value}) from None
        if amount is not None and amount < 0:
            raise BudgetError(_("An amount cannot be negative."))
        if field == "pct_complete" and amount is not None and amount > 100:
            raise BudgetError(_("The percentage complete must be between 0 and 100."))
        value = "" if amount is None else str(amount)
    published = getattr(project, field)
    return Correction.objects.create(
        organisation=project.organisation,
        project=project,
        field=field,
        published_value="" if published is None else str(published),
        corrected_value=value,
        reason=reason[:2000],
        by=by,
    )


@transaction.atomic
def do_choose_ward(
    project: Project, ward_code: int | None, *, by: User, county_wide: bool = False
) -> Project:
    if county_wide:
        project.ward, project.ward_match = None, WardMatch.COUNTY_WIDE
    else:
        ward = Ward.objects.filter(code=ward_code, county=project.county).first() if ward_code else None
        if ward is None:
            raise BudgetError(_("Choose a ward of %(county)s.") % {"county": project.county.name})
        project.ward, project.ward_match = ward, WardMatch.CONFIRMED
    project.updated_at = timezone.now()
    project.save(update_fields=["ward", "ward_match", "updated_at"])
    Correction.objects.create(
        organisation=project.organisation,
        project=project,
        field="ward",
        published_value=project.location_published,
        corrected_value=project.ward.name if project.ward else str(WardMatch.COUNTY_WIDE.label),
        reason=_("Ward chosen by a coordinator from the published location."),
        by=by,
    )
    return project


@transaction.atomic
def do_set_category(
    project: Project, category: Category, *, by: User, reason: str = "", same_sector: bool = False
) -> list[Project]:
    """A coordinator maps the project's published sector to another of the organisation's categories: this
    project, or every project of the organisation published under the same sector (the department
    mapping). Each change is a `Correction` row (audited) naming the category before and after; the
    published sector stays. Later imports keep the choice (they never touch an existing project's category)."""
    if category.organisation_id != project.organisation_id or not category.is_active:
        raise BudgetError(_("Choose one of your organisation's categories."))
    targets = [project]
    if same_sector and project.sector_published:
        targets = list(
            Project.objects.filter(
                organisation=project.organisation, sector_published=project.sector_published
            ).select_related("category")
        )
    reason = reason.strip()[:2000] or _("Category chosen by a coordinator for the published sector.")
    now = timezone.now()
    changed = []
    for target in targets:
        if target.category_id == category.pk:
            continue
        before = target.category.name_en if target.category else ""
        target.category, target.updated_at = category, now
        target.save(update_fields=["category", "updated_at"])
        Correction.objects.create(
            organisation=target.organisation,
            project=target,
            field="category",
            published_value=before,
            corrected_value=category.name_en,
            reason=reason,
            by=by,
        )
        changed.append(target)
    return changed


@transaction.atomic
def do_link_case(project: Project, case: Case, *, by: User) -> None:
    """Link a case (and so its reports) to a project; the same organisation only."""
    if case.organisation_id != project.organisation_id:
        raise BudgetError(_("That case belongs to another organisation."))
    project.cases.add(case)


# --- Site observations -----------------------------------------------------------------------------


@dataclass
class ObservationInput:
    status: str
    note: str = ""
    lat: float | None = None
    lon: float | None = None
    observed_on: date | None = None
    photos: Sequence[UploadedFile] = ()
    source: str = Observation.Source.WEB
    by: User | None = None
    reporter: Contact | None = None
    language: str = "sw"
    external_id: str = ""
    received_at: datetime | None = None
    invented: bool = False


def observation_text(project: Project, status: str, note: str) -> str:
    label = SiteStatus(status).label
    text = f"{project.reference} {project.name}: {label}."
    return f"{text} {note.strip()}" if note.strip() else text


@transaction.atomic
def do_observe(project: Project, inp: ObservationInput) -> Observation:
    """A site visit: stored as a monitoring report (place, photos with EXIF-free copies, audit trail) and
    as an observation of the project; the project's flags follow. Idempotent on the report's external id."""
    if inp.status not in SiteStatus.values:
        raise BudgetError(_("Choose what you saw at the site."))
    if inp.observed_on is not None and inp.observed_on > timezone.localdate():
        raise BudgetError(_("The date is in the future."))
    channels: dict[str, str] = {
        Observation.Source.SMS: ReportChannel.SMS,
        Observation.Source.USSD: ReportChannel.USSD,
        Observation.Source.ODK: ReportChannel.ODK,
    }
    channel = channels.get(inp.source, ReportChannel.MONITOR if inp.by else ReportChannel.WEB)
    report_in = ReportInput(
        description=observation_text(project, inp.status, inp.note),
        channel=channel,
        occurred_on=inp.observed_on,
        place_text=project.ward.name if project.ward else "",
        lat=inp.lat,
        lon=inp.lon,
        category_keys=["public-projects"],
        language=inp.language,
        reporter=inp.reporter,
        external_id=inp.external_id,
        submitted_by=inp.by,
        received_at=inp.received_at,
        attachments=list(inp.photos),
        county_hint=project.county.code,
    )
    try:
        try:
            report = do_submit_report(project.organisation, report_in)
        except ReportError as exc:
            if exc.field != "categories":
                raise
            report_in.category_keys = []
            report = do_submit_report(project.organisation, report_in)
    except ReportError as exc:
        raise BudgetError(str(exc)) from None
    again = Observation.objects.filter(report=report).first()
    if again is not None:
        return again
    observation = Observation.objects.create(
        organisation=project.organisation,
        project=project,
        status=inp.status,
        note=inp.note.strip()[:2000],
        lat=inp.lat,
        lon=inp.lon,
        observed_on=inp.observed_on or timezone.localdate(),
        source=inp.source,
        report=report,
        recorded_by=inp.by,
        invented=inp.invented,
    )
    project.observed_status = inp.status
    project.observed_at = observation.created_at
    project.observations_count += 1
    project.save(update_fields=["observed_status", "observed_at", "observations_count"])
    refresh_project_flags(project)
    return observation


# --- Proposals to the next planning cycle ---------------------------------------------------------


@transaction.atomic
def do_create_proposal(
    org: Organisation,
    *,
    title: str,
    cycle: str,
    priorities: Sequence[Any],
    projects: Sequence[Project],
    office: Office | None,
    programme: Any,
    by: User,
) -> Proposal:
    if not title.strip():
        raise BudgetError(_("Give the proposal a title."))
    if not cycle.strip():
        raise BudgetError(_("Name the planning cycle it is for (e.g. ADP 2026/27)."))
    if not priorities and not projects:
        raise BudgetError(_("Choose at least one priority or project."))
    proposal = Proposal.objects.create(
        organisation=org, title=title.strip()[:200], cycle=cycle.strip()[:80], office=office,
        programme=programme, created_by=by,
    )  # fmt: skip
    proposal.priorities.set(priorities)
    proposal.projects.set(projects)
    return proposal


@transaction.atomic
def do_record_fate(proposal: Proposal, *, fate: str, note: str, by: User) -> Proposal:
    if fate not in Proposal.Fate.values:
        raise BudgetError(_("Choose what became of the proposal."))
    if fate in (Proposal.Fate.ACCEPTED, Proposal.Fate.PARTLY, Proposal.Fate.REJECTED) and not note.strip():
        raise BudgetError(_("Say what was decided and where it is written (e.g. the ADP page)."))
    proposal.fate, proposal.fate_note, proposal.fate_at = fate, note.strip()[:4000], timezone.now()
    proposal.save(update_fields=["fate", "fate_note", "fate_at"])
    return proposal


def do_make_document(proposal: Proposal, *, language: str, fmt: str, by: User) -> bytes:
    """The memorandum as PDF or DOCX, noted in the audit chain with its SHA-256."""
    if language not in ("en", "sw"):
        raise BudgetError(_("Choose English or Kiswahili."))
    if fmt not in ("pdf", "docx"):
        raise BudgetError(_("Choose PDF or DOCX."))
    body = proposals.render(proposal, language=language, fmt=fmt)
    audit.note(
        "budgets.proposal_document",
        proposal.pk,
        "create",
        {
            "language": language,
            "format": fmt,
            "by": by.get_username(),
            "sha256": hashlib.sha256(body).hexdigest(),
        },
    )
    return body


# --- Questionnaires: submissions about a project, conclusions in a memorandum (issue 20) ------------


@transaction.atomic
def do_link_submission(submission: Submission, project: Project | None, *, by: User) -> SubmissionLink | None:
    """Link a questionnaire submission to a project of its organisation (None: remove the link). The link
    row is audited; linking again to the same project changes nothing."""
    link = SubmissionLink.objects.select_for_update().filter(submission=submission).first()
    if project is None:
        if link is not None:
            link.delete()
        return None
    if project.organisation_id != submission.questionnaire.organisation_id:
        raise BudgetError(_("That project belongs to another organisation."))
    if link is None:
        return SubmissionLink.objects.create(
            organisation_id=project.organisation_id, project=project, submission=submission, linked_by=by
        )
    if link.project_id != project.pk:
        link.project, link.linked_by, link.linked_at = project, by, timezone.now()
        link.save(update_fields=["project", "linked_by", "linked_at"])
    return link


@transaction.atomic
def do_add_conclusion(proposal: Proposal, finding: Finding, *, by: User) -> ProposalConclusion:
    """An agreed conclusion becomes an item of a memorandum still being drafted: its words and the figures
    behind it are copied into the item (audited), and the finding's history records it."""
    if finding.status != Finding.Status.CONCLUSION:
        raise BudgetError(_("Only an agreed conclusion becomes an item of a memorandum."))
    if finding.session.organisation_id != proposal.organisation_id:
        raise BudgetError(_("That memorandum belongs to another organisation."))
    if proposal.fate != Proposal.Fate.DRAFTED:
        raise BudgetError(_("That memorandum has already been submitted; draft a new one."))
    if ProposalConclusion.objects.filter(proposal=proposal, finding=finding).exists():
        raise BudgetError(_("This conclusion is already an item of that memorandum."))
    item = ProposalConclusion.objects.create(
        proposal=proposal, finding=finding, text=finding.text, figures=list(finding.figures), added_by=by
    )
    do_note_finding_event(finding, "memorandum", by, proposal.title)
    return item
