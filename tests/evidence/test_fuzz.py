"""Property/fuzz tests of every import parser: arbitrary input ends as a result or the parser's own error
(a message for the user), never another exception. The counts are checked so they can be quoted."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.test import Client

from sauti.conversations.reading import analyse
from sauti.monitoring.actions import ReportError
from sauti.monitoring.openrosa.submission import SubmissionError, parse_submission, to_report_input
from sauti.monitoring.ushahidi import HEADERS, UshahidiFileError, do_import_ushahidi
from sauti.people.imports import ImportFileError, check_rows, read_table
from tests.conftest import World

EXAMPLES = 100
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
RUN: Counter[str] = Counter()

words = st.sampled_from(
    ["maji", "water", "Kibera", "Mathare", "watu", "200", "mia mbili", "police", "polisi", "eviction", "Kwa Reuben",
     "hospitali", "STOP", "HELP", "JIUNGE", "🙂", "\u202e", "\x00", "'", "\"", ",", "\n", "0712000001"]
)  # fmt: skip
texts = st.one_of(st.text(max_size=400), st.lists(words, max_size=30).map(" ".join))


@FUZZ
@given(text=texts, county=st.one_of(st.none(), st.integers(-5, 60)))
def test_sms_parse_never_raises(db: None, text: str, county: int | None) -> None:
    RUN["conversations.reading"] += 1
    result = analyse(text, county)
    assert result is not None


cells = st.one_of(st.text(max_size=60), words, st.sampled_from(["12/03/2024 10:00", "2024-03-12", "-1.29", "36.8",
                                                                 "YES", "WATER, Evictions", "999999999999"]))  # fmt: skip


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


@FUZZ
@given(
    header=st.lists(st.sampled_from([a for aliases in HEADERS.values() for a in aliases] + ["junk"]), min_size=1,
                    max_size=10),
    rows=st.lists(st.lists(cells, max_size=10), max_size=6),
    raw=st.one_of(st.none(), st.binary(max_size=300)),
)  # fmt: skip
def test_ushahidi_import_never_raises(
    world: World, header: list[str], rows: list[list[str]], raw: bytes | None
) -> None:
    RUN["ushahidi"] += 1
    try:
        data = raw if raw is not None else _csv(header, rows)
    except UnicodeEncodeError:
        return
    try:
        summary = do_import_ushahidi(world.umoja, io.BytesIO(data), by=None)
    except UshahidiFileError:
        return
    assert summary.rows >= 0


@FUZZ
@given(
    header=st.lists(st.sampled_from(["name", "jina", "phone", "simu", "gender", "age", "ward", "village", "x"]),
                    min_size=1, max_size=7),
    rows=st.lists(st.lists(cells, max_size=7), max_size=6),
    raw=st.one_of(st.none(), st.binary(max_size=300)),
    name=st.sampled_from(["members.csv", "members.xlsx", "members.xls", "list"]),
)  # fmt: skip
def test_member_import_never_raises(world: World, header: list[str], rows: list[list[str]], raw: bytes | None,
                                    name: str) -> None:  # fmt: skip
    RUN["people.imports"] += 1
    try:
        data = raw if raw is not None else _csv(header, rows)
    except UnicodeEncodeError:
        return
    try:
        table = read_table(io.BytesIO(data), name)
    except ImportFileError:
        return
    results = check_rows(table, world.mathare_group)
    assert isinstance(results, list)


def _element(tag: str, value: str) -> str:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<{tag}>{escaped}</{tag}>"


fields = st.fixed_dictionaries(
    {},
    optional={
        "description": texts, "occurred_on": cells, "category": words, "subcategory": words,
        "place_text": texts, "location": st.one_of(cells, st.just("-1.26 36.86 0 5"), st.text(max_size=40)),
        "people_affected": cells, "photo": cells, "language": st.sampled_from(["sw", "en", "fr", ""]),
    },
)  # fmt: skip


@FUZZ
@given(
    values=fields,
    instance=st.one_of(st.none(), st.text(max_size=80)),
    raw=st.one_of(st.none(), st.binary(max_size=200)),
)
def test_openrosa_submission_parsing_never_raises(world: World, values: dict[str, str], instance: str | None,
                                                  raw: bytes | None) -> None:  # fmt: skip
    RUN["openrosa"] += 1
    meta = "" if instance is None else f"<meta>{_element('instanceID', instance)}</meta>"
    body = "".join(_element(k, v) for k, v in values.items())
    try:
        data = (
            raw
            if raw is not None
            else f'<report id="sauti-umoja">{body}{meta}</report>'.encode("utf-8", "surrogatepass")
        )
    except UnicodeEncodeError:
        return
    try:
        sub = parse_submission(data)
        to_report_input(sub, world.otieno, {})
    except (SubmissionError, ReportError):
        return


@FUZZ
@given(
    body=st.binary(max_size=400),
    ctype=st.sampled_from(["text/xml", "multipart/form-data; boundary=x", "application/json"]),
)
def test_openrosa_endpoint_answers_garbage_with_4xx(world: World, body: bytes, ctype: str) -> None:
    import base64

    RUN["openrosa endpoint"] += 1
    token = base64.b64encode(b"otieno:correct-horse-battery").decode()
    response = Client().post("/odk/umoja/submission", body, content_type=ctype,
                             HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_OPENROSA_VERSION="1.0")  # fmt: skip
    assert response.status_code < 500


@pytest.mark.parametrize(
    "parser", ["conversations.reading", "ushahidi", "people.imports", "openrosa", "openrosa endpoint"]
)
def test_every_fuzzer_ran_its_cases(parser: str) -> None:
    if not RUN[parser]:
        pytest.skip("that fuzzer ran in another pytest-xdist worker (run with -n 0 to count every one)")
    assert RUN[parser] >= EXAMPLES
