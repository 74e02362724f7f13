"""Results: counts and percentages (rollup and filtered agree), charts, ward table, cross-tab, the
`forms results` contract, and KoBo-style exports that read back."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook

from django.core.management import call_command
from django.utils import timezone

from sauti.places.models import Ward
from sauti.questionnaires import results
from sauti.questionnaires.actions import Incoming, do_receive_submission
from sauti.questionnaires.models import Questionnaire, Submission
from tests.conftest import World
from tests.questionnaires.helpers import imported

MABATINI = "-1.2621 36.8577"  # ward 1445 (see test_answers)
GITHUNGURI = "-1.0440 36.7930"


def water(form: Questionnaire, n: int, working: str, problems: str, price: int, days_ago: int = 0) -> None:
    do_receive_submission(
        form,
        Incoming(
            instance_id=f"uuid:w{n}",
            answers={
                "working": working,
                "source": "tap",
                "price": price,
                "disconnected": "no",
                "problems": problems,
            },
            channel=Submission.Channel.WEB,
            received_at=timezone.now() - timedelta(days=days_ago),
        ),
    )


def seeded(world: World) -> Questionnaire:
    form = imported(world.umoja)
    water(form, 1, "yes", "none", 20)
    water(form, 2, "no", "meters cartels", 50)
    water(form, 3, "no", "meters", 30, days_ago=40)
    water(form, 4, "partly", "dirty meters", 10)
    return form


def test_counts_percentages_and_the_contract(world: World) -> None:
    form = seeded(world)
    out = io.StringIO()
    call_command("forms", "results", "water_point", "--org", "umoja", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["submissions"] == 4
    assert data["questions"]["working"] == {"yes": 1, "partly": 1, "no": 2}
    assert data["questions"]["problems"] == {"dirty": 1, "meters": 3, "cartels": 1, "none": 1}
    assert data["questions"]["disconnected"] == {"yes": 0, "no": 4}
    assert set(data["questions"]) == {"working", "source", "disconnected", "problems"}
    res = results.results(form, results.Filters(), "en")
    working = next(q for q in res.questions if q.name == "working")
    assert [(ln.label, ln.count, ln.percent) for ln in working.lines] == [
        ("Working", 1, 25.0), ("Partly", 1, 25.0), ("Not working", 2, 50.0)
    ]  # fmt: skip
    assert "<svg" in working.chart and "Not working" in working.chart
    price = next(q for q in res.questions if q.name == "price")
    assert sum(ln.count for ln in price.lines) == 4 and price.lines[0].label.startswith("10")


def test_filtered_counts_agree_with_the_rollup_and_filter_by_date_and_answer(world: World) -> None:
    form = seeded(world)
    everything = results.raw_counts(form, results.Filters())
    since_forever = results.raw_counts(
        form, results.Filters(since=timezone.localdate() - timedelta(days=3650))
    )
    assert everything[0] == since_forever[0] == 4
    for name in ("working", "problems", "price"):
        assert everything[1][name] == since_forever[1][name]
    recent = results.raw_counts(form, results.Filters(since=timezone.localdate() - timedelta(days=7)))
    assert recent[0] == 3 and recent[1]["working"]["no"] == 1
    broken = results.raw_counts(form, results.Filters(question="working", value="no"))
    assert broken[0] == 2 and broken[1]["problems"] == {"meters": 2, "cartels": 1}
    with_meters = results.raw_counts(form, results.Filters(question="problems", value="meters"))
    assert with_meters[0] == 3


def test_results_page_with_filters_crosstab_wards_and_map(world: World) -> None:
    form = imported(world.umoja, "eviction")
    for n, point in enumerate([MABATINI, MABATINI, GITHUNGURI]):
        do_receive_submission(
            form,
            Incoming(
                instance_id=f"uuid:e{n}",
                answers={"eviction_date": timezone.localdate().isoformat(), "notice": "none" if n else "written",
                         "actors": "police", "households": 10 + n, "violence": "yes" if n < 2 else "no",
                         "location": point},
                channel=Submission.Channel.WEB,
            ),
        )  # fmt: skip
    client = world.client_for(world.chief)  # an official sees aggregates
    page = client.get(f"/forms/{form.pk}/results/")
    text = page.content.decode()
    assert page.status_code == 200 and "3 submissions" in text and 'class="q-map"' in text
    mabatini = Ward.objects.get(code=1445)
    assert f"<td>{mabatini.name}</td><td>2</td><td>66.7</td>" in text
    filtered = client.get(
        f"/forms/{form.pk}/results/", {"ward": str(mabatini.pk), "rows": "notice", "cols": "violence"}
    )
    body = filtered.content.decode()
    assert filtered.status_code == 200 and "2 submissions" in body
    assert "Was a notice given? × Was force or violence used?" in body.replace("&#x27;", "'")
    # rows: written 1 yes; none 1 yes
    assert "<tr><th>Written notice</th><td>1</td><td>0</td><td>1</td></tr>" in body
    bad = client.get(f"/forms/{form.pk}/results/", {"since": "yesterday", "ward": "x"})
    assert bad.status_code == 400
    assert world.client_for(world.bob).get(f"/forms/{form.pk}/results/").status_code == 404


def test_exports_with_names_or_labels_read_back(world: World) -> None:
    form = seeded(world)
    client = world.client_for(world.kamau)  # analysts export
    raw = b"".join(client.get(f"/forms/{form.pk}/export.csv").streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert len(rows) == 4
    second = next(r for r in rows if r["_uuid"] == "uuid:w2")
    assert second["working"] == "no" and second["problems"] == "meters cartels"
    assert second["problems/meters"] == "1" and second["problems/none"] == "0" and second["price"] == "50"
    sw = client.get(f"/forms/{form.pk}/export.xlsx", {"labels": "1", "lang": "sw"})
    sheet = load_workbook(io.BytesIO(sw.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Je, kituo cha maji kinafanya kazi?"
    assert {r[0] for r in values[1:]} == {"Inafanya kazi", "Kiasi", "Haifanyi kazi"}
    assert client.get(f"/forms/{form.pk}/export.csv", {"labels": "1", "lang": "fr"}).status_code == 400
    assert world.client_for(world.otieno).get(f"/forms/{form.pk}/export.csv").status_code == 403
    assert world.client_for(world.kamau).get(f"/forms/{form.pk}/export.pdf").status_code == 404


def test_export_neutralises_formulas(world: World) -> None:
    form = imported(world.umoja, "eviction")
    do_receive_submission(
        form,
        Incoming(
            instance_id="uuid:f",
            answers={"place_text": '=HYPERLINK("http://x")'},
            channel=Submission.Channel.WEB,
        ),
    )
    response: Any = world.client_for(world.wanjiku).get(f"/forms/{form.pk}/export.csv")
    raw = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in raw


def test_xlsx_and_csv_exports_agree_cell_for_cell_with_text_that_xml_and_spreadsheets_mind(
    world: World,
) -> None:
    """The XLSX is written as sheet XML directly (issue 20 performance): XML's special characters, control
    characters, formulas, unanswered questions, geopoints and select_multiple read back as the CSV says."""
    form = imported(world.umoja, "eviction")
    do_receive_submission(
        form,
        Incoming(
            instance_id="uuid:x1",
            answers={"notice": "none", "actors": ["police", "landlord"], "households": 7,
                     "place_text": 'Kiamaiko <estate> & "B"\x07', "location": "-1.2621 36.8577"},
            channel=Submission.Channel.WEB,
        ),
    )  # fmt: skip
    do_receive_submission(
        form,
        Incoming(
            instance_id="uuid:x2",
            answers={"place_text": "=1+2", "households": 3},
            channel=Submission.Channel.WEB,
        ),
    )
    client = world.client_for(world.kamau)
    raw = b"".join(client.get(f"/forms/{form.pk}/export.csv").streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    from_csv = list(csv.reader(io.StringIO(raw)))
    book = load_workbook(io.BytesIO(client.get(f"/forms/{form.pk}/export.xlsx").content), read_only=True)
    sheet = book.active
    assert sheet is not None
    from_xlsx = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert from_xlsx[0] == from_csv[0]
    by_uuid = {row[from_csv[0].index("_uuid")]: row for row in from_xlsx[1:]}
    csv_by_uuid = {row[from_csv[0].index("_uuid")]: row for row in from_csv[1:]}
    assert by_uuid == {k: [c.replace("\x07", "") for c in v] for k, v in csv_by_uuid.items()}
    first = dict(zip(from_csv[0], csv_by_uuid["uuid:x1"], strict=True))
    assert first["place/place_text"] == 'Kiamaiko <estate> & "B"\x07'
    assert (
        first["actors"] == "police landlord"
        and first["actors/police"] == "1"
        and first["actors/county"] == "0"
    )
    second = dict(zip(from_csv[0], by_uuid["uuid:x2"], strict=True))
    assert second["place/place_text"] == "'=1+2" and second["notice"] == "" and second["actors/police"] == ""
