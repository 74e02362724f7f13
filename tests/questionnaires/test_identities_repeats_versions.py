"""Issue 20, session 5: names and phone numbers written in free-text answers are redacted for whoever may
not see identities (as report texts are), shown as written (and logged) to those who may; answers in
repeat groups are stored, shown and exported; exports keep the columns of older versions."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from sauti.audit.models import AuditEntry
from sauti.places.models import Ward
from sauti.questionnaires import samples
from sauti.questionnaires.actions import do_import_form
from sauti.questionnaires.models import Questionnaire, Submission
from sauti.questionnaires.xlsform import parse_upload
from tests.conftest import World
from tests.questionnaires.helpers import instance, post_instance

EN, SW = samples.EN, samples.SW
SECRET = "Call Grace Akinyi 0712345678"
MABATINI = "-1.2621 36.8577 1650 5"


def feedback(version: str, *, short: bool = False) -> dict[str, list[list[str]]]:
    survey = [
        ["type", "name", EN, SW],
        ["select_one yesno", "ok", "Was the visit useful?", "Je, ziara ilisaidia?"],
    ]
    if short:
        survey.append(["integer", "rating", "Rating (1-5)", "Alama (1-5)"])
    else:
        survey += [
            ["text", "comment", "Comment", "Maoni"],
            ["geopoint", "location", "Location (GPS)", "Mahali (GPS)"],
            ["date", "visited", "Day of the visit", "Siku ya ziara"],
            ["begin_repeat", "people", "People met", "Watu waliokutana"],
            ["text", "pname", "Who?", "Nani?"],
            ["select_one yesno", "adult", "Adult?", "Mtu mzima?"],
            ["end_repeat", "", "", ""],
        ]
    return {
        "survey": survey,
        "choices": [
            ["list_name", "name", EN, SW],
            ["yesno", "yes", "Yes", "Ndiyo"],
            ["yesno", "no", "No", "La"],
        ],
        "settings": [["form_id", "form_title", "version"], ["visit_feedback", "Visit feedback", version]],
    }


def imported_feedback(world: World, version: str = "1", *, short: bool = False) -> Questionnaire:
    sheets = feedback(version, short=short)
    form, _v = do_import_form(world.umoja, parse_upload(samples.xlsx(sheets), "feedback.xlsx"), None)
    return form


BODY = (
    f"<ok>yes</ok><comment>{SECRET}</comment><location>{MABATINI}</location><visited>2026-12-01</visited>"
    "<people><pname>Peter Otieno</pname><adult>yes</adult></people>"
    "<people><pname>a child 0722000111</pname><adult>no</adult></people>"
)


def sent(world: World, body: str = BODY, version: str = "1", iid: str = "uuid:f-1") -> Submission:
    response = post_instance(
        world.client_for(None), instance("visit_feedback", version, body, iid), url="/odk/umoja/submission"
    )
    assert response.status_code == 201, response.content
    return Submission.objects.get(instance_id=iid)


def page(world: World, user: Any, url: str) -> str:
    response = world.client_for(user).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def csv_rows(world: World, user: Any, form: Questionnaire, **query: str) -> list[dict[str, str]]:
    response: Any = world.client_for(user).get(f"/forms/{form.pk}/export.csv", query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- 1. identities in answers --------------------------------------------------------------------------


def test_the_submission_page_redacts_answers_for_those_who_may_not_see_identities(world: World) -> None:
    form = imported_feedback(world)
    sub = sent(world)
    assert sub.answers["comment"] == SECRET  # kept as written, like a report's description
    for user in (world.kamau, world.otieno):  # analyst, field monitor
        html = page(world, user, f"/forms/submissions/{sub.pk}/")
        assert "Grace" not in html and "0712345678" not in html and "Akinyi" not in html
        assert "[name]" in html and "[phone]" in html
        assert "Peter Otieno" not in html and "0722000111" not in html  # inside the repeat too
    before = AuditEntry.objects.filter(model="questionnaires.submission", object_pk=str(sub.pk)).count()
    html = page(world, world.wanjiku, f"/forms/submissions/{sub.pk}/")  # coordinator: VIEW_IDENTITIES
    assert SECRET in html and "Peter Otieno" in html
    seen = AuditEntry.objects.filter(model="questionnaires.submission", object_pk=str(sub.pk))
    assert seen.count() == before + 1
    assert '"answers as written"' in seen.last().data and world.wanjiku.username == seen.last().actor  # type: ignore[union-attr]
    assert form.pk


def test_exports_redact_answers_unless_the_exporter_may_see_identities(world: World) -> None:
    form = imported_feedback(world)
    sent(world)
    analyst = csv_rows(world, world.kamau, form)[0]
    assert "Grace" not in analyst["comment"] and "[phone]" in analyst["comment"]
    book = load_workbook(
        io.BytesIO(world.client_for(world.kamau).get(f"/forms/{form.pk}/export.xlsx").content), read_only=True
    )
    cells = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert not any("Grace" in c or "0712345678" in c for c in cells)
    people = [str(c) for row in book["people"].iter_rows(values_only=True) for c in row]
    assert "Peter Otieno" not in people and "[name]" in " ".join(people)
    before = AuditEntry.objects.filter(model="questionnaires.questionnaire", object_pk=str(form.pk)).count()
    assert csv_rows(world, world.wanjiku, form)[0]["comment"] == SECRET
    logged = AuditEntry.objects.filter(model="questionnaires.questionnaire", object_pk=str(form.pk))
    assert logged.count() == before + 1 and logged.last().action == "export"  # type: ignore[union-attr]


def test_results_sessions_and_the_shared_link_never_show_free_text(world: World) -> None:
    form = imported_feedback(world)
    sent(world)
    world.mathare_group.ward = Ward.objects.get(code=1445)
    world.mathare_group.save()
    coordinator = world.client_for(world.wanjiku)
    coordinator.post(f"/forms/{form.pk}/sessions/new/", {"group": world.mathare_group.pk, "title": "Visits"})
    session = form.sessions.get()
    for user, url in (
        (world.kamau, f"/forms/{form.pk}/results/"),
        (world.achieng, f"/forms/sessions/{session.pk}/"),
        (None, f"/forms/shared/{session.token}/"),
    ):
        html = page(world, user, url)
        assert "Grace" not in html and "0712345678" not in html and "Peter" not in html


# --- 2. repeats ---------------------------------------------------------------------------------------


def test_answers_in_a_repeat_are_stored_shown_counted_and_exported(world: World) -> None:
    form = imported_feedback(world)
    sub = sent(world)
    assert sub.answers["people"] == [
        {"pname": "Peter Otieno", "adult": "yes"},
        {"pname": "a child 0722000111", "adult": "no"},
    ]
    html = page(world, world.wanjiku, f"/forms/submissions/{sub.pk}/")
    assert "People met" in html and "Who?" in html and "Adult?" in html and "Peter Otieno" in html
    rows = csv_rows(world, world.wanjiku, form)
    assert "people/pname" not in rows[0]  # the repeat's answers are in its own sheet, as KoBo exports them
    book = load_workbook(
        io.BytesIO(world.client_for(world.wanjiku).get(f"/forms/{form.pk}/export.xlsx").content),
        read_only=True,
    )
    people = [list(r) for r in book["people"].iter_rows(values_only=True)]
    assert (
        people[0][:2] == ["people/pname", "people/adult"]
        and "_parent_index" in people[0]
        and "_submission__uuid" in people[0]
    )
    assert people[1][:2] == ["Peter Otieno", "yes"] and people[2][:2] == ["a child 0722000111", "no"]
    assert people[1][people[0].index("_parent_index")] == sub.pk
    results_html = page(world, world.kamau, f"/forms/{form.pk}/results/")
    assert "Adult?" in results_html  # the select inside the repeat is counted per instance


def test_repeat_answers_sent_with_an_older_version_are_kept(world: World) -> None:
    """The repeat groups are those of the version the submission names, not of the current one."""
    imported_feedback(world, "1")
    imported_feedback(world, "2", short=True)
    sub = sent(world, "<ok>yes</ok><people><pname>Peter Otieno</pname></people>", version="1")
    assert sub.mismatch and sub.answers["people"] == [{"pname": "Peter Otieno"}]
    assert "pname" not in sub.answers


def test_the_repeat_csv_is_its_own_file(world: World) -> None:
    form = imported_feedback(world)
    sub = sent(world)
    response: Any = world.client_for(world.kamau).get(f"/forms/{form.pk}/export.csv", {"repeat": "people"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["people/adult"] for r in rows] == ["yes", "no"] and rows[0]["_parent_index"] == str(sub.pk)
    assert "Peter" not in text  # the analyst's copy is redacted like the main sheet
    bad = world.client_for(world.kamau).get(f"/forms/{form.pk}/export.csv", {"repeat": "nothing"})
    assert bad.status_code == 400


# --- 3. versions --------------------------------------------------------------------------------------


def test_exports_keep_the_columns_of_older_versions_with_submissions(world: World) -> None:
    form = imported_feedback(world, "1")
    sent(world, f"<ok>yes</ok><comment>Borehole fixed</comment><location>{MABATINI}</location>"
                "<visited>2026-12-01</visited>")  # fmt: skip
    imported_feedback(world, "2", short=True)
    sent(world, "<ok>no</ok><rating>4</rating>", version="2", iid="uuid:f-2")
    rows = csv_rows(world, world.kamau, form)
    header = list(rows[0])
    assert header[:2] == ["ok", "rating"]  # the current version's order first
    assert header.index("comment") < header.index("location") < header.index("visited")
    old = next(r for r in rows if r["_uuid"] == "uuid:f-1")
    assert old["comment"] == "Borehole fixed" and old["visited"] == "2026-12-01"
    assert old["location"].startswith("-1.2621 36.8577")
    labelled = csv_rows(world, world.kamau, form, labels="1", lang="sw")
    assert "Maoni" in labelled[0] and "Siku ya ziara" in labelled[0]  # labels from the version that has them
