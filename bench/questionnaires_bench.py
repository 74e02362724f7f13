"""Results and export of an organisation's own questionnaire at scale, beside plain SQL in the same run.

    .venv/bin/python bench/questionnaires_bench.py [--submissions 100000] [--runs 30]

A 20-question form (12 select_one, 3 select_multiple, 5 integer) gets N invented submissions
(bulk-inserted, then `do_recount` builds the AnswerCount rows as the actions keep them). Timed, on SQLite:
  baseline   plain SQL: one GROUP BY json_extract(answers, '$.q') per select question (what counting the
             stored answers costs without the rollup)
  results    questionnaires.results.results(form, no filters) — what the page computes
  page       GET /forms/<id>/results/ through the Django test client (template, SVG charts included)
  filtered   results filtered on one select answer (reads the matching submissions)
  export     CSV with choice names, with labels (en, sw), XLSX with labels and names: all N rows,
             submissions per second, beside a plain SELECT + json.loads + csv.writer of the values
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchsetup import setup_django

EN, SW = "label::English (en)", "label::Kiswahili (sw)"


def sheets() -> dict[str, list[list[str]]]:
    survey = [["type", "name", EN, SW]]
    choices = [["list_name", "name", EN, SW]]
    for i in range(12):
        survey.append([f"select_one l{i}", f"s{i}", f"Select {i}", f"Chagua {i}"])
        choices += [[f"l{i}", f"c{j}", f"Choice {j}", f"Chaguo {j}"] for j in range(5)]
    for i in range(3):
        survey.append([f"select_multiple m{i}", f"m{i}", f"Multi {i}", f"Nyingi {i}"])
        choices += [[f"m{i}", f"c{j}", f"Option {j}", f"Chaguo {j}"] for j in range(6)]
    for i in range(5):
        survey.append(["integer", f"n{i}", f"Number {i}", f"Nambari {i}"])
    return {"survey": survey, "choices": choices, "settings": [["form_id", "version"], ["bench20", "1"]]}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_django(migrate=True)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from sauti.people.models import Membership, Organisation, Role, User
    from sauti.questionnaires import exports, results
    from sauti.questionnaires.actions import do_import_form, do_recount
    from sauti.questionnaires.models import Submission
    from sauti.questionnaires.samples import xlsx
    from sauti.questionnaires.xlsform import parse_upload

    org = Organisation.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user(username="bench", password="bench-password-123")
    Membership.objects.create(user=user, organisation=org, role=Role.ANALYST)  # no second factor
    form, version = do_import_form(org, parse_upload(xlsx(sheets()), "bench.xlsx"), None)
    rng = random.Random(20)
    now = timezone.now()
    print(f"inserting {args.submissions:,} submissions …", flush=True)
    t0 = time.perf_counter()
    batch: list[Submission] = []
    for k in range(args.submissions):
        answers: dict[str, object] = {f"s{i}": f"c{rng.randint(0, 4)}" for i in range(12)}
        answers |= {
            f"m{i}": sorted({f"c{rng.randint(0, 5)}" for _ in range(rng.randint(1, 3))}) for i in range(3)
        }
        answers |= {f"n{i}": rng.randint(0, 200) for i in range(5)}
        batch.append(
            Submission(
                questionnaire=form, version=version, version_text="1", instance_id=f"b:{k}", content_hash="x",
                answers=answers, channel="odk", received_at=now - timedelta(minutes=k),
            )
        )  # fmt: skip
        if len(batch) == 5000:
            Submission.objects.bulk_create(batch)
            batch = []
            print(f"  {k + 1:,}", flush=True)
    Submission.objects.bulk_create(batch)
    print(f"inserted in {time.perf_counter() - t0:.1f} s; recounting …", flush=True)
    t0 = time.perf_counter()
    rows = do_recount(form)
    print(f"do_recount: {rows} AnswerCount rows in {time.perf_counter() - t0:.1f} s", flush=True)

    def timed(fn: object, runs: int) -> list[float]:
        out = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()  # type: ignore[operator]
            out.append((time.perf_counter() - t) * 1000)
        return out

    table = connection.ops.quote_name(Submission._meta.db_table)

    def baseline() -> None:
        with connection.cursor() as cursor:
            for i in range(12):
                cursor.execute(
                    f"SELECT json_extract(answers, '$.s{i}'), COUNT(*) FROM {table} "
                    "WHERE questionnaire_id = %s GROUP BY 1",
                    [form.pk],
                )
                cursor.fetchall()

    client = Client()
    client.force_login(user)
    page_url = f"/forms/{form.pk}/results/"
    first = client.get(page_url)
    assert first.status_code == 200, (first.status_code, first.get("Location"), first.content[:300])
    figures = {
        "baseline: plain SQL GROUP BY json_extract (12 select questions)": timed(
            baseline, max(3, args.runs // 10)
        ),
        "results() unfiltered (AnswerCount)": timed(
            lambda: results.results(form, results.Filters(), "en"), args.runs
        ),
        "GET results page (template + SVG)": timed(lambda: client.get(page_url), args.runs),
        "results() filtered on one answer": timed(
            lambda: results.results(form, results.Filters(question="s0", value="c1"), "en"),
            max(3, args.runs // 10),
        ),
    }
    print(f"\nSQLite, {args.submissions:,} submissions, 20 questions (ms)")
    print("| measure | runs | p50 | p95 | max |\n|---|---|---|---|---|")
    for name, values in figures.items():
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | {pct(values, 0.95):.1f} | {max(values):.1f} |"
        )
    import csv
    import io
    import json

    t0 = time.perf_counter()
    out = io.StringIO()
    writer = csv.writer(out)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, instance_id, received_at, answers FROM {table} WHERE questionnaire_id = %s ORDER BY id",
            [form.pk],
        )
        while batch := cursor.fetchmany(5000):
            for pk, uuid, at, answers in batch:
                writer.writerow([pk, uuid, at, *json.loads(answers).values()])
            out.seek(0)
            out.truncate()
    seconds = time.perf_counter() - t0
    print(
        f"\nbaseline: plain SELECT + json.loads + csv.writer of the values: {args.submissions / seconds:,.0f} submissions/s"
    )

    def export_rate(name: str, make: object) -> None:
        t0 = time.perf_counter()
        size = make()  # type: ignore[operator]
        seconds = time.perf_counter() - t0
        print(f"export {name}: {args.submissions:,} rows, {size / 1e6:.1f} MB in {seconds:.2f} s = "
              f"{args.submissions / seconds:,.0f} submissions/s", flush=True)  # fmt: skip

    export_rate("CSV (names)", lambda: sum(len(c) for c in exports.csv_lines(form, labels=False, lang="en")))
    export_rate(
        "CSV (labels, en)", lambda: sum(len(c) for c in exports.csv_lines(form, labels=True, lang="en"))
    )
    export_rate(
        "CSV (labels, sw)", lambda: sum(len(c) for c in exports.csv_lines(form, labels=True, lang="sw"))
    )
    export_rate("XLSX (labels, sw)", lambda: len(exports.xlsx_bytes(form, labels=True, lang="sw")))
    export_rate("XLSX (names)", lambda: len(exports.xlsx_bytes(form, labels=False, lang="en")))
    # The page must still hold with the export code loaded and the database warm: measured again here.
    again = timed(lambda: client.get(page_url), args.runs)
    print(f"GET results page again: p50 {statistics.median(again):.1f} ms, p95 {pct(again, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
