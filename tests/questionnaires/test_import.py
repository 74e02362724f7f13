"""Uploading XLSForms: the contract command, the OpenRosa listing, versions, and every kind of bad input
answered with a translated 400 naming the sheet and row (never a 500)."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from django.core.management import call_command

from sauti.questionnaires import samples
from sauti.questionnaires.models import FormVersion, Questionnaire, Submission
from tests.conftest import World
from tests.questionnaires.helpers import basic, imported, instance, post_instance, sheets, upload

FORMLIST = "{http://openrosa.org/xforms/xformsList}"


def _run(*args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_forms_import_contract_then_listed_and_downloadable_on_odk(world: World, tmp_path: Path) -> None:
    path = tmp_path / "eviction.xlsx"
    path.write_bytes(samples.xlsx(samples.EVICTION))
    result = _run("forms", "import", str(path), "--org", "umoja", "--json")
    assert result == {"form_id": "eviction_monitoring", "version": "2026120101", "questions": 14}
    form = Questionnaire.objects.get(organisation=world.umoja, form_id="eviction_monitoring")
    assert form.kind == "report" and form.category is not None and form.category.key == "housing"
    response = world.client_for(None).get("/odk/umoja/formList", headers=basic("otieno"))
    assert response.status_code == 200
    listed = ET.fromstring(response.content).findall(f"{FORMLIST}xform")  # noqa: S314 (our response)
    ids = [x.findtext(f"{FORMLIST}formID") for x in listed]
    assert ids == ["sauti-umoja", "eviction_monitoring"]
    ours = listed[1]
    assert ours.findtext(f"{FORMLIST}version") == "2026120101"
    url = ours.findtext(f"{FORMLIST}downloadUrl") or ""
    xml = world.client_for(None).get(url.replace("http://testserver", ""), headers=basic("otieno"))
    assert xml.status_code == 200 and b"<h:title>Eviction monitoring</h:title>" in xml.content
    assert f"md5:{form.current.md5}" == ours.findtext(f"{FORMLIST}hash")  # type: ignore[union-attr]
    # The other organisation's member sees neither the form nor its download.
    other = world.client_for(None).get("/odk/formList", headers=basic("bob"))
    assert b"eviction_monitoring" not in other.content
    assert (
        world.client_for(None).get(url.replace("http://testserver", ""), headers=basic("bob")).status_code
        == 404
    )


def test_forms_import_refuses_with_the_sheet_and_row(world: World, tmp_path: Path) -> None:
    s = sheets()
    s["survey"][3][0] = "numbr"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(samples.xlsx(s))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"Sheet “survey”, row 4: “numbr” is not a question type"):
        call_command("forms", "import", str(path), "--org", "umoja", "--json")


def test_a_new_version_keeps_old_submissions_readable_and_flags_old_version_answers(world: World) -> None:
    form = imported(world.umoja)
    client = world.client_for(None)
    body = "<working>no</working><source>tap</source><price>20</price><disconnected>yes</disconnected>"
    assert post_instance(client, instance("water_point", "2026120101", body, "uuid:old-1")).status_code == 201
    s = sheets()
    s["settings"][1][2] = "2026120202"
    s["survey"].append(["integer", "taps", "How many taps?", "Mabomba mangapi?", ""])
    assert upload(world.client_for(world.wanjiku), "umoja", samples.xlsx(s)).status_code == 302
    form.refresh_from_db()
    assert form.current is not None and form.current.version == "2026120202"
    assert FormVersion.objects.filter(questionnaire=form).count() == 2
    # An answer sent from a phone that still has the old version is kept, and flagged.
    assert post_instance(client, instance("water_point", "2026120101", body, "uuid:old-2")).status_code == 201
    old = Submission.objects.get(instance_id="uuid:old-2")
    assert old.mismatch and old.version is not None and old.version.version == "2026120101"
    page = world.client_for(world.wanjiku).get(f"/forms/submissions/{old.pk}/")
    assert page.status_code == 200 and "Not working" in page.content.decode()
    assert "not the current one" in page.content.decode()
    # The same version string with other content is refused.
    s["survey"].append(["integer", "more", "More?", "Zaidi?", ""])
    response = upload(world.client_for(world.wanjiku), "umoja", samples.xlsx(s))
    assert response.status_code == 400 and "raise the version" in response.content.decode()


def _xlsx_with(edit: str) -> bytes:
    s = sheets()
    if edit == "unknown":
        s["survey"][2][0] = "select_onee source"
    elif edit == "duplicate":
        s["survey"][4][1] = "price"
    elif edit == "relevance_ref":
        s["survey"][0].append("relevant")
        for row in s["survey"][1:]:
            row.append("")
        s["survey"][4][-1] = "${pricee} > 10"
    elif edit == "relevance_syntax":
        s["survey"][0].append("relevant")
        for row in s["survey"][1:]:
            row.append("")
        s["survey"][4][-1] = "${price} > 10 and ("
    elif edit == "missing_list":
        s["survey"][5][0] = "select_one yes_no"
    elif edit == "mojibake":
        s["survey"][3][2] = "Bei ya mtungi (KES) â€“ ya leo"
    elif edit == "control":
        s["choices"][2][2] = "Partly \ufffd"
    return samples.xlsx(s)


def _with_formula() -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(samples.xlsx(samples.WATER)))
    book["survey"]["C4"] = '=CONCATENATE("Price", "?")'
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ten_thousand_rows() -> bytes:
    s = sheets()
    s["survey"] += [["integer", f"q{i}", f"Q{i}", f"S{i}", ""] for i in range(10_000)]
    return samples.xlsx(s)


def _with_macros() -> bytes:
    raw = io.BytesIO(samples.xlsx(samples.WATER))
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (lambda: _xlsx_with("unknown"), "f.xlsx", "Sheet “survey”, row 3: “select_onee source” is not a question type"),
        (lambda: _xlsx_with("duplicate"), "f.xlsx", "Sheet “survey”, row 5: the name “price” is already used on row 4"),
        (lambda: _xlsx_with("relevance_ref"), "f.xlsx", "Sheet “survey”, row 5: the relevant expression refers to ${pricee}"),
        (lambda: _xlsx_with("relevance_syntax"), "f.xlsx", "Sheet “survey”, row 5: the relevant expression “${price} &gt; 10 and (” is not valid"),
        (lambda: _xlsx_with("missing_list"), "f.xlsx", "Sheet “survey”, row 6: the choice list “yes_no” is not on the “choices” sheet"),
        (_with_formula, "f.xlsx", "Sheet “survey”, row 4: column “label::English (en)” holds a formula"),
        (_ten_thousand_rows, "f.xlsx", "Sheet “survey”, row 2002: the sheet has more than 2000 rows"),
        (lambda: _xlsx_with("mojibake"), "f.xlsx", "Sheet “survey”, row 4: column “label::English (en)” holds text in a wrong encoding"),
        (lambda: _xlsx_with("control"), "f.xlsx", "Sheet “choices”, row 3: column “label::English (en)” holds text in a wrong encoding"),
        (lambda: samples.xlsx(samples.WATER), "f.xlsm", "Workbooks with macros (.xlsm) are not accepted"),
        (_with_macros, "f.xlsx", "Workbooks with macros (.xlsm) are not accepted"),
        (lambda: b"type,name,label\ntext,a,A\n", "f.xlsx", "The file is not an .xlsx workbook"),
        (lambda: b"PK\x03\x04broken", "f.xlsx", "The file is not an .xlsx workbook"),
    ],
    ids=["unknown-type", "duplicate-name", "relevance-ref", "relevance-syntax", "missing-list", "formula",
         "10000-rows", "non-utf8-mojibake", "non-utf8-replacement-char", "xlsm", "macros-inside", "not-xlsx", "damaged"],
)  # fmt: skip
def test_bad_xlsforms_get_a_400_naming_sheet_and_row(
    world: World, data: object, name: str, expected: str
) -> None:
    response = upload(world.client_for(world.wanjiku), "umoja", data(), name)  # type: ignore[operator]
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert Questionnaire.objects.count() == 0


def test_errors_are_translated(world: World) -> None:
    client = world.client_for(world.wanjiku)
    client.cookies["sauti_language"] = "sw"
    response = upload(client, "umoja", _xlsx_with("duplicate"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Jedwali “survey”, safu 5" in text and "price" in text


def test_pyxform_errors_keep_the_row(world: World) -> None:
    s = sheets()
    s["survey"][0].append("choice_filter")
    for row in s["survey"][1:]:
        row.append("")
    s["survey"][1][-1] = "name = 'x'"
    s["survey"][2][0] = "select_one_from_file x.csv"
    response = upload(world.client_for(world.wanjiku), "umoja", samples.xlsx(s))
    assert response.status_code == 400
    assert "Sheet “survey”" in response.content.decode()


def test_only_coordinators_upload_and_outsiders_get_404(world: World) -> None:
    data = samples.xlsx(samples.WATER)
    assert upload(world.client_for(world.otieno), "umoja", data).status_code == 403
    assert upload(world.client_for(world.bob), "umoja", data).status_code == 404
    assert upload(world.client_for(world.wanjiku), "umoja", data).status_code == 302


def test_building_a_simple_form_in_the_browser(world: World) -> None:
    client = world.client_for(world.wanjiku)
    lines = (
        "select_one toilets | Are the toilets open? | Vyoo viko wazi? | yes=Yes/Ndiyo, no=No/La\n"
        "integer users | How many users a day? | Watumiaji wangapi kwa siku?\n"
    )
    response = client.post(
        "/forms/org/umoja/build/", {"title": "Toilets", "form_id": "toilets", "lines": lines}
    )
    assert response.status_code == 302
    form = Questionnaire.objects.get(form_id="toilets")
    assert form.current is not None and [q["name"] for q in form.current.questions] == ["toilets", "users"]
    assert form.current.spec["choices"]["toilets_list"][0]["label"] == {"en": "Yes", "sw": "Ndiyo"}
    bad = client.post("/forms/org/umoja/build/", {"title": "T", "form_id": "t2", "lines": "select_one x | X"})
    assert bad.status_code == 400 and "Sheet “builder”, row 1" in bad.content.decode()


def test_a_zip_bomb_is_refused_before_it_is_inflated(world: World) -> None:
    raw = io.BytesIO(samples.xlsx(samples.WATER))
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    response = upload(world.client_for(world.wanjiku), "umoja", out.getvalue())
    assert response.status_code == 400 and "larger than 5 MB" in response.content.decode()
