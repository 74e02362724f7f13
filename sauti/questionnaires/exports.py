"""Exports of a questionnaire's submissions, KoBo-style: one row per submission, one column per question
(select_multiple also split into `question/choice` 0/1 columns), `_id`, `_uuid`, `_submission_time`,
`_version`, `_flagged`; values as names (re-import into KoBo-style analysis) or as labels in en/sw.
Identities never appear: names and phone numbers live in encrypted Contacts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.db import connection

from sauti.questionnaires.models import Questionnaire, Submission
from sauti.questionnaires.results import CHOICE_TYPES, choice_label, choice_names_of, label_of

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


def _cell(
    spec: dict[str, Any], q: dict[str, Any], choice: str, labels: bool, lang: str
) -> Callable[[dict[str, Any]], Any]:
    """A function from a submission's answers to this column's cell (built once per export)."""
    name = q["name"]
    if choice:
        return lambda a: "" if (v := a.get(name)) is None else int(choice in v)
    if q["type"] in CHOICE_TYPES:
        if labels:
            shown = {c: _safe(choice_label(spec, q["list"], c, lang)) for c in choice_names_of(spec, q)}
            return lambda a: (
                "" if (v := a.get(name)) is None
                else shown.get(v, v) if isinstance(v, str)
                else " ".join(shown.get(x, x) for x in v)
            )  # fmt: skip
        return lambda a: "" if (v := a.get(name)) is None else v if isinstance(v, str) else " ".join(v)
    if q["type"] in ("integer", "decimal", "date"):
        return lambda a: a.get(name, "")
    if q["type"] == "geopoint":
        return lambda a: f"{v['lat']} {v['lon']}" if isinstance(v := a.get(name), dict) else ""
    return lambda a: _safe(a.get(name, ""))


def rows(form: Questionnaire, labels: bool, lang: str) -> Iterator[list[Any]]:
    assert form.current is not None
    spec = form.current.spec
    cells = [_cell(spec, q, choice, labels, lang) for _col, q, choice in columns(form)]
    qs = Submission.objects.filter(questionnaire=form).order_by("pk")
    fields = ("pk", "instance_id", "received_at", "version_text", "mismatch", "ward__name", "answers")
    # The compiled SELECT run on a plain cursor: Django's per-value converters cost more than the rest of
    # the export (JSON text and SQLite's datetime text are read as they are; PostgreSQL hands back objects).
    sql, params = qs.values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            for pk, uuid, at, version, flagged, ward, answers in batch:
                if isinstance(answers, str):
                    answers = json.loads(answers)
                row = [cell(answers) for cell in cells]
                row += [pk, _safe(uuid), _when(at), _safe(version), int(flagged), ward or ""]
                yield row


def _when(at: Any) -> str:
    if isinstance(at, datetime):
        return at.isoformat()
    return str(at).replace(" ", "T", 1)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(form: Questionnaire, labels: bool, lang: str) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header(form, labels, lang))
    for row in rows(form, labels, lang):
        yield writer.writerow(row)


def xlsx_bytes(form: Questionnaire, labels: bool, lang: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(form.form_id[:31])
    sheet.append(header(form, labels, lang))
    for row in rows(form, labels, lang):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
