"""Issue 20, session 6: repeats inside repeats are stored, shown, counted, redacted and exported the KoBo
way; the web answer page takes several entries of a repeat without JavaScript."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from sauti.questionnaires import samples
from sauti.questionnaires.actions import do_import_form
from sauti.questionnaires.models import Questionnaire, Submission
from sauti.questionnaires.xlsform import parse_upload
from tests.conftest import World
from tests.questionnaires.helpers import instance, post_instance

EN, SW = samples.EN, samples.SW
SECRET = "Call Grace Akinyi 0712345678"


def household(repeat_count: str = "") -> dict[str, list[list[str]]]:
    head = ["type", "name", EN, SW, "repeat_count"]
    return {
        "survey": [
            head,
            ["text", "village", "Village", "Kijiji", ""],
            ["begin_repeat", "members", "Household members", "Wanakaya", repeat_count],
            ["text", "mname", "Member", "Mwanakaya", ""],
            ["integer", "age", "Age", "Umri", ""],
            ["begin_repeat", "incidents", "Incidents", "Matukio", ""],
            ["select_one kind", "kind", "What happened?", "Nini kilitokea?", ""],
            ["text", "detail", "Details", "Maelezo", ""],
            ["end_repeat", "", "", "", ""],
            ["end_repeat", "", "", "", ""],
        ],
        "choices": [
            ["list_name", "name", EN, SW],
            ["kind", "theft", "Theft", "Wizi"],
            ["kind", "threat", "Threat", "Tishio"],
        ],
        "settings": [["form_id", "form_title", "version"], ["household", "Household", "1"]],
    }


def imported_household(world: World, repeat_count: str = "") -> Questionnaire:
    book = samples.xlsx(household(repeat_count))
    form, _v = do_import_form(world.umoja, parse_upload(book, "household.xlsx"), None)
    return form


BODY = (
    "<village>Mabatini</village>"
    "<members><mname>Amina</mname><age>34</age>"
    "<incidents><kind>theft</kind><detail>Tank taken</detail></incidents>"
    f"<incidents><kind>threat</kind><detail>{SECRET}</detail></incidents></members>"
    "<members><mname>Baraka</mname><age>9</age></members>"
    "<members><mname>Chege</mname><incidents><kind>threat</kind></incidents></members>"
)


def sent(world: World, body: str = BODY, iid: str = "uuid:h-1") -> Submission:
    response = post_instance(
        world.client_for(None), instance("household", "1", body, iid), url="/odk/umoja/submission"
    )
    assert response.status_code == 201, response.content
    return Submission.objects.get(instance_id=iid)


def csv_rows(world: World, user: Any, form: Questionnaire, **query: str) -> list[dict[str, str]]:
    response: Any = world.client_for(user).get(f"/forms/{form.pk}/export.csv", query)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_nested_repeats_sent_from_odk_collect_are_stored(world: World) -> None:
    imported_household(world)
    sub = sent(world)
    members = sub.answers["members"]
    assert [m["mname"] for m in members] == ["Amina", "Baraka", "Chege"]
    assert members[0]["incidents"] == [
        {"kind": "theft", "detail": "Tank taken"},
        {"kind": "threat", "detail": SECRET},
    ]
    assert "incidents" not in members[1] and members[2]["incidents"] == [{"kind": "threat"}]
    assert "incidents" not in sub.answers


def test_nested_repeats_are_shown_redacted_and_counted(world: World) -> None:
    form = imported_household(world)
    sub = sent(world)
    html = world.client_for(world.wanjiku).get(f"/forms/submissions/{sub.pk}/").content.decode()
    assert "Incidents" in html and "What happened?" in html and "Tank taken" in html and SECRET in html
    analyst = world.client_for(world.kamau).get(f"/forms/submissions/{sub.pk}/").content.decode()
    assert "0712345678" not in analyst and "Tank taken" in analyst
    results = world.client_for(world.kamau).get(f"/forms/{form.pk}/results/").content.decode()
    assert "What happened? (Incidents)" in results


def test_nested_repeats_export_one_sheet_each_linked_by_index(world: World) -> None:
    form = imported_household(world)
    first = sent(world)
    second = sent(
        world, "<members><mname>Dan</mname><incidents><kind>theft</kind></incidents></members>", "uuid:h-2"
    )
    book = load_workbook(
        io.BytesIO(world.client_for(world.wanjiku).get(f"/forms/{form.pk}/export.xlsx").content),
        read_only=True,
    )
    assert book.sheetnames == ["household", "members", "incidents"]
    members = [list(r) for r in book["members"].iter_rows(values_only=True)]
    incidents = [list(r) for r in book["incidents"].iter_rows(values_only=True)]
    head = incidents[0]
    assert head[:2] == ["members/incidents/kind", "members/incidents/detail"]
    rows = [dict(zip(head, r, strict=True)) for r in incidents[1:]]
    assert [r["members/incidents/kind"] for r in rows] == ["theft", "threat", "threat", "theft"]
    assert [r["_index"] for r in rows] == [1, 2, 3, 4]
    assert {r["_parent_table_name"] for r in rows} == {"members"}
    # _parent_index is the parent member's _index on the members sheet: Amina 1, Chege 3, Dan 4.
    assert [r["_parent_index"] for r in rows] == [1, 1, 3, 4]
    assert [r["_submission__id"] for r in rows] == [first.pk, first.pk, first.pk, second.pk]
    member_rows = [dict(zip(members[0], r, strict=True)) for r in members[1:]]
    assert [(m["_index"], m["members/mname"]) for m in member_rows][3] == (4, "Dan")
    assert "members/incidents/kind" not in members[0]
    # The CSV of the inner repeat, redacted for the analyst like the rest.
    rows_csv = csv_rows(world, world.kamau, form, repeat="incidents")
    assert [r["_parent_index"] for r in rows_csv] == ["1", "1", "3", "4"]
    assert "0712345678" not in str(rows_csv)
    labelled = csv_rows(world, world.kamau, form, repeat="incidents", labels="1", lang="sw")
    assert "Nini kilitokea?" in labelled[0] and labelled[0]["Nini kilitokea?"] == "Wizi"


def test_nested_data_stored_flat_by_the_older_web_page_stays_readable(world: World) -> None:
    """The web page used to store the inner repeat's one entry beside the outer one (answers["incidents"]):
    it reads as the entry of the (only) member."""
    form = imported_household(world)
    assert form.current is not None
    old = Submission.objects.create(
        questionnaire=form, version=form.current, instance_id="uuid:old", content_hash="x", channel="web",
        answers={"village": "Mabatini", "members": [{"mname": "Amina"}], "incidents": [{"kind": "theft", "detail": "Old"}]},
    )  # fmt: skip
    rows = csv_rows(world, world.wanjiku, form, repeat="incidents")
    assert [(r["members/incidents/kind"], r["_parent_index"]) for r in rows] == [("theft", "1")]
    html = world.client_for(world.wanjiku).get(f"/forms/submissions/{old.pk}/").content.decode()
    assert "Incidents" in html and "Old" in html


def test_the_web_page_adds_and_removes_entries_without_javascript(world: World) -> None:
    form = imported_household(world)
    client = world.client_for(world.otieno)
    url = f"/forms/{form.pk}/answer/"
    page = client.get(url).content.decode()
    assert "Add another" in page and 'name="members__0__mname"' in page
    assert 'name="members__0__incidents__0__kind"' in page
    data: dict[str, Any] = {
        "instance_id": "uuid:web-h",
        "version": "1",
        "village": "Mabatini",
        "members__0__mname": "Amina",
        "members__0__age": "34",
        "_add": "members",
    }
    more = client.post(url, data)
    html = more.content.decode()
    assert more.status_code == 200 and 'name="members__1__mname"' in html and 'value="Amina"' in html
    assert not Submission.objects.exists()
    data.pop("_add")
    data.update({"_n_members": "2", "members__1__mname": "Baraka", "members__0__incidents__0__kind": "theft"})
    data["_add"] = "members__0__incidents"
    html = client.post(url, data).content.decode()
    assert 'name="members__0__incidents__1__kind"' in html and 'value="Baraka"' in html
    data.pop("_add")
    data.update(
        {"_n_members__0__incidents": "2", "members__0__incidents__1__kind": "threat", "_n_members": "3"}
    )
    data["members__2__mname"] = "Chege"
    data["_remove"] = "members__1"  # Baraka goes, Chege moves up
    html = client.post(url, data).content.decode()
    assert 'value="Baraka"' not in html and 'value="Chege"' in html and 'name="members__2__mname"' not in html
    data = {
        "instance_id": "uuid:web-h", "version": "1", "village": "Mabatini", "_n_members": "2",
        "members__0__mname": "Amina", "members__0__age": "34", "_n_members__0__incidents": "2",
        "members__0__incidents__0__kind": "theft", "members__0__incidents__1__kind": "threat",
        "members__1__mname": "Chege",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()[-1500:]
    sub = Submission.objects.get(instance_id="uuid:web-h")
    assert sub.answers["members"] == [
        {"mname": "Amina", "age": 34, "incidents": [{"kind": "theft"}, {"kind": "threat"}]},
        {"mname": "Chege"},
    ]


def test_the_web_page_in_kiswahili_and_with_a_fixed_repeat_count(world: World) -> None:
    form = imported_household(world, repeat_count="3")
    world.otieno.preferred_language = "sw"
    world.otieno.save()
    client = world.client_for(world.otieno)
    page = client.get(f"/forms/{form.pk}/answer/", HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert 'name="members__2__mname"' in page and 'name="members__3__mname"' not in page
    assert 'value="members"' not in page  # no add button for a fixed count
    assert 'value="members__2"' not in page  # nor remove buttons
    # The inner repeat can still grow, its button named in Kiswahili ("Ongeza kingine" once compiled).
    assert 'value="members__0__incidents"' in page and "Matukio" in page


def test_crafted_entry_counts_and_buttons_are_harmless(world: World) -> None:
    form = imported_household(world)
    client = world.client_for(world.otieno)
    url = f"/forms/{form.pk}/answer/"
    crafted = {f"_n_members__{i}__incidents": "999" for i in range(50)}
    response = client.post(url, {"_n_members": "999", "_add": "members", **crafted})
    assert response.status_code == 200 and response.content.decode().count('name="members__') <= 2000
    odd = client.post(url, {"village": "Mabatini", "_remove": "nothing-here"})
    assert odd.status_code == 200 and not Submission.objects.exists()
    bad = client.post(url, {"village": "Mabatini", "_n_members": "many", "members__0__age": "x"})
    assert bad.status_code == 400 and not Submission.objects.exists()
