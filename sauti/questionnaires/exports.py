"""Exports of a questionnaire's submissions, KoBo-style: one row per submission, one column per question
(select_multiple also split into `question/choice` 0/1 columns), `_id`, `_uuid`, `_submission_time`,
`_version`, `_flagged`; values as names (re-import into KoBo-style analysis) or as labels in en/sw.
Identities never appear: names and phone numbers live in encrypted Contacts."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

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
    return [*names, *META]


def rows(form: Questionnaire, labels: bool, lang: str) -> Iterator[list[Any]]:
    assert form.current is not None
    spec = form.current.spec
    cols = columns(form)
    qs = Submission.objects.filter(questionnaire=form).order_by("pk")
    fields = ("pk", "instance_id", "received_at", "version_text", "mismatch", "ward__name", "answers")
    for pk, uuid, at, version, flagged, ward, answers in qs.values_list(*fields).iterator(chunk_size=5000):
        row: list[Any] = []
        for _col, q, choice in cols:
            value = answers.get(q["name"])
            if choice:
                row.append("" if value is None else int(choice in value))
            elif value is None:
                row.append("")
            elif q["type"] in CHOICE_TYPES:
                chosen = value if isinstance(value, list) else [value]
                row.append(" ".join(choice_label(spec, q["list"], v, lang) if labels else v for v in chosen))
            elif isinstance(value, dict):
                row.append(f"{value['lat']} {value['lon']}")
            else:
                row.append(value)
        row.extend([pk, uuid, at.isoformat(), version, int(flagged), ward or ""])
        yield [_safe(v) for v in row]


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
