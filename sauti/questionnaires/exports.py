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


Block = Callable[[dict[str, Any]], list[Any]]


def _block(spec: dict[str, Any], q: dict[str, Any], labels: bool, lang: str) -> Block:
    """A function from a submission's answers to this question's cells (a select_multiple: its answer and
    one 0/1 cell per choice), built once per export: the row loop then makes one call per question."""
    name = q["name"]
    if q["type"] == "select_multiple":
        names = choice_names_of(spec, q)
        empty = [""] * (len(names) + 1)
        shown = {c: _safe(choice_label(spec, q["list"], c, lang)) for c in names} if labels else None

        def multiple(a: dict[str, Any]) -> list[Any]:
            v = a.get(name)
            if v is None:
                return empty
            picked = set(v)
            text = " ".join(shown.get(x, x) for x in v) if shown is not None else " ".join(v)
            return [text, *(1 if c in picked else 0 for c in names)]

        return multiple
    if q["type"] == "select_one" and labels:
        one = {c: _safe(choice_label(spec, q["list"], c, lang)) for c in choice_names_of(spec, q)}
        return lambda a: [one.get(v, v) if (v := a.get(name)) is not None else ""]
    if q["type"] in ("select_one", "integer", "decimal", "date"):
        return lambda a: [a.get(name, "")]
    if q["type"] == "geopoint":
        return lambda a: [f"{v['lat']} {v['lon']}" if isinstance(v := a.get(name), dict) else ""]
    return lambda a: [_safe(a.get(name, ""))]


def rows(form: Questionnaire, labels: bool, lang: str) -> Iterator[list[Any]]:
    assert form.current is not None
    spec = form.current.spec
    blocks = [_block(spec, q, labels, lang) for _col, q, choice in columns(form) if not choice]
    qs = Submission.objects.filter(questionnaire=form).order_by("pk")
    fields = ("pk", "instance_id", "received_at", "version_text", "mismatch", "ward__name", "answers")
    # The compiled SELECT run on a plain cursor: Django's per-value converters cost more than the rest of
    # the export (JSON text and SQLite's datetime text are read as they are; PostgreSQL hands back objects).
    sql, params = qs.values_list(*fields).query.sql_with_params()
    loads = json.loads
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            for pk, uuid, at, version, flagged, ward, answers in batch:
                a = loads(answers) if isinstance(answers, str) else answers
                row: list[Any] = []
                for block in blocks:
                    row += block(a)
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
