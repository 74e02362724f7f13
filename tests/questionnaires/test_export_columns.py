"""The export's column-at-a-time code (issue 20 performance) writes exactly what the straightforward
one-submission-at-a-time code writes: names and labels, en and sw, CSV and XLSX, on answers as varied as
stored ones get (older versions, unanswered, formulas, odd types)."""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from datetime import UTC, timedelta
from typing import Any
from xml.sax.saxutils import unescape

from django.db import connection
from django.utils import timezone

from sauti.places.models import Ward
from sauti.questionnaires import exports
from sauti.questionnaires.actions import do_import_form
from sauti.questionnaires.models import Questionnaire, Submission
from sauti.questionnaires.results import choice_label
from sauti.questionnaires.samples import xlsx
from sauti.questionnaires.xlsform import parse_upload
from tests.conftest import World
from tests.questionnaires.helpers import sheets

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value[:1] in FORMULA else value


def label(spec: dict[str, Any], q: dict[str, Any], name: str, lang: str) -> Any:
    """A choice's label, neutralised; a name that is not a choice (another version's) neutralised too."""
    known = [c["name"] for c in spec["choices"][q["list"]]]
    return safe(choice_label(spec, q["list"], name, lang)) if name in known else safe(name)


def reference_rows(form: Questionnaire, labels: bool, lang: str) -> list[list[Any]]:
    """One submission at a time, one cell at a time, through the ORM."""
    assert form.current is not None
    spec = form.current.spec
    out = []
    for s in Submission.objects.filter(questionnaire=form).select_related("ward").order_by("pk"):
        a, row = s.answers, list[Any]()
        for _col, q, choice in exports.columns(form):
            v = a.get(q["name"])
            if choice:
                picked = v if isinstance(v, list) else [str(v)]
                row.append(None if v is None else int(choice in picked))
            elif v is None:
                row.append(None)
            elif q["type"] == "select_multiple":
                picked = v if isinstance(v, list) else [str(v)]
                shown = [label(spec, q, x, lang) if labels else x for x in picked]
                row.append(safe(" ".join(shown)))
            elif q["type"] == "select_one" and labels:
                row.append(label(spec, q, v, lang) if isinstance(v, str) else v)
            elif q["type"] == "select_one":
                row.append(safe(v))
            elif q["type"] in ("integer", "decimal", "date"):
                row.append(v)
            elif q["type"] == "geopoint":
                row.append(f"{v.get('lat')} {v.get('lon')}" if isinstance(v, dict) else None)
            else:
                row.append(safe(v))
        at = s.received_at.astimezone(UTC)
        when = at.isoformat() if connection.vendor == "postgresql" else at.replace(tzinfo=None).isoformat()
        ward = s.ward.name if s.ward else ""
        row += [s.pk, safe(s.instance_id), when, safe(s.version_text), int(s.mismatch), ward]
        out.append(row)
    return out


def reference_csv(form: Questionnaire, labels: bool, lang: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(exports.header(form, labels, lang))
    writer.writerows(reference_rows(form, labels, lang))
    return "\ufeff" + buffer.getvalue()


# True/False beside 0/1: the XLSX writer remembers cells by type and value (False == 0, True == 1).
ODD: list[Any] = [
    None, True, False, 1, 0.0, "", "written", "none", "nope", "=cmd|' /C calc'!A0", "+254700000000", "-3", "@sum", "\ttab",
    "a,b", 'say "hi"', "line\nbreak", "<&>", 0, 7, -2, 3.25, ["police"], [], ["county", "x"],
    {"lat": -1.2621, "lon": 36.8577}, {"lat": 0}, "2026-12-01", 10**20,
]  # fmt: skip


def varied(world: World) -> Questionnaire:
    """The eviction form in two versions (labels changed and a choice added in the second), with
    submissions of both, every question answered by turns with each of the ODD values."""
    first = sheets("eviction")
    form, v1 = do_import_form(world.umoja, parse_upload(xlsx(first), "eviction.xlsx"), None)
    second = sheets("eviction")
    second["choices"].append(["actors", "other", "+Other", "-Wengine"])
    second["choices"][1][2] = "@Written notice"  # a label that needs neutralising
    second["settings"][1][2] = "2026120102"
    form, v2 = do_import_form(world.umoja, parse_upload(xlsx(second), "eviction.xlsx"), None)
    names = [q["name"] for q in v2.spec["questions"]]
    rng = random.Random(20)
    ward = Ward.objects.order_by("pk").first()
    now = timezone.now().replace(microsecond=0)
    subs = []
    for k in range(300):
        answers = {n: rng.choice(ODD) for n in names if rng.random() < 0.8}
        answers = {n: v for n, v in answers.items() if v is not None or rng.random() < 0.5}
        if k % 3 == 0:  # an ordinary answer, mostly what the form asks for
            answers |= {"notice": rng.choice(["written", "verbal", "none"]), "households": k}
            answers |= {"actors": rng.sample(["police", "county", "private", "landlord", "other"], 2)}
            answers |= {"location": {"lat": -1.0 - k / 1000, "lon": 36.8 + k / 1000}}
        version = v1 if k % 4 == 0 else v2
        subs.append(
            Submission(
                questionnaire=form, version=version, version_text=version.version if k % 7 else "=1",
                instance_id=f"uuid:{k}" if k % 11 else f"-{k}", content_hash="x", answers=answers,
                channel="web", ward=ward if k % 5 == 0 else None, mismatch=k % 6 == 0,
                received_at=now - timedelta(minutes=k, microseconds=0 if k % 2 else 1234 * k),
            )
        )  # fmt: skip
    Submission.objects.bulk_create(subs)
    form.refresh_from_db()
    return form


def sheet_cells(book: bytes) -> list[list[str]]:
    """The cells of the sheet as text ("" when empty), read from the XML as written."""
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    rows = []
    for row in re.findall(r"<row>(.*?)</row>", xml, flags=re.S):
        cells = re.findall(r"<c/>|<c><v>(.*?)</v></c>|<t xml:space=\"preserve\">(.*?)</t>", row, flags=re.S)
        rows.append([unescape(number or text) for number, text in cells])
    return rows


def test_csv_and_xlsx_are_what_the_straightforward_code_writes(world: World) -> None:
    form = varied(world)
    for labels, lang in ((False, "en"), (True, "en"), (True, "sw")):
        got = "".join(exports.csv_lines(form, labels, lang))
        assert got == reference_csv(form, labels, lang), (labels, lang)
        expected = [
            ["" if v is None else str(v).translate(exports._XML_ILLEGAL) for v in row]
            for row in csv.reader(io.StringIO(got[1:]))
        ]
        assert sheet_cells(exports.xlsx_bytes(form, labels, lang)) == expected, (labels, lang)
    assert [list(r) for r in exports.rows(form, True, "sw")] == reference_rows(form, True, "sw")
