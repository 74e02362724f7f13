"""The evidence pages, as every persona: bundle download, the public key page, the identity-access log."""

from __future__ import annotations

import io
import zipfile

from sauti.evidence.bundlecheck import check_bundle
from sauti.people.actions import contacts_with_phone, reveal_identities
from sauti.people.models import Contact, Organisation
from tests.audit.helpers import submit
from tests.conftest import World


def find_contact(org: Organisation, phone: str) -> Contact | None:
    """The persona's record of this number (group members are their group's records: Contact.scope)."""
    return next(iter(contacts_with_phone(org, phone)), None)


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    client = world.client_for(None)
    for url in ("/evidence/bundle/", "/evidence/keys/umoja/", "/evidence/identity-access/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_coordinator_downloads_a_bundle_of_chosen_cases(world: World, tmp_path: object) -> None:
    report = submit(world, "Water cut in Kwa Reuben, 200 families")
    other = submit(world, "Police harassment at the market", place_text="Mathare", category_keys=["security"])
    client = world.client_for(world.wanjiku)
    page = client.get("/evidence/bundle/?q=harassment")
    assert other.case.title in page.content.decode() and report.case.title not in page.content.decode()  # type: ignore[union-attr]
    assert "Include reporters" not in page.content.decode()  # a coordinator may not include identities
    response = client.post("/evidence/bundle/", {"case": [str(report.case_id), str(other.case_id)]})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    from pathlib import Path

    path = Path(str(tmp_path)) / "web.zip"
    path.write_bytes(response.content)
    assert check_bundle(path).ok
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read("cases.csv").decode("utf-8-sig").count("\n") == 3


def test_bad_choices_are_refused_with_the_reason(world: World) -> None:
    submit(world, "Water cut in Kwa Reuben")
    client = world.client_for(world.wanjiku)
    response = client.post("/evidence/bundle/", {})
    assert response.status_code == 400 and "Choose at least one case" in response.content.decode()
    response = client.post("/evidence/bundle/", {"case": ["abc"]})
    assert response.status_code == 400
    response = client.post("/evidence/bundle/", {"case": ["999999"]})
    assert response.status_code == 400 and "No such case" in response.content.decode()
    response = client.get("/evidence/bundle/?date_from=yesterday")
    assert response.status_code == 400
    client = world.client_for(world.bob)  # another organisation's case does not exist for Bob
    bob_case = submit(world, "Evictions by the river", place_text="Mathare").case_id
    assert client.post("/evidence/bundle/", {"case": [str(bob_case)]}).status_code == 400
    sw = world.client_for(world.wanjiku)
    sw.cookies["sauti_language"] = "sw"
    assert sw.post("/evidence/bundle/", {}).status_code == 400


def test_the_key_page_shows_the_fingerprint_and_a_text_download(world: World) -> None:
    client = world.client_for(world.kamau)
    page = client.get("/evidence/keys/umoja/").content.decode()
    from sauti.audit.models import OrganisationKey

    key = OrganisationKey.objects.get(organisation=world.umoja)
    assert key.fingerprint in page and key.public_key in page
    text = client.get("/evidence/keys/umoja/?format=text")
    assert key.fingerprint in text.content.decode() and "attachment" in text["Content-Disposition"]


def test_the_identity_access_log_is_filterable_and_shows_no_identities(world: World) -> None:
    contact = find_contact(world.umoja, "+254712000001")
    assert contact is not None
    reveal_identities(world.wanjiku, [contact], "case page C1")
    reveal_identities(world.achieng, [contact], "group page")
    client = world.client_for(world.alice)
    page = client.get("/evidence/identity-access/").content.decode()
    assert "wanjiku" in page and "achieng" in page and contact.pseudonym in page
    assert "Njeri" not in page and "712000001" not in page
    page = client.get("/evidence/identity-access/?who=achieng").content.decode()
    assert "achieng" in page and "case page C1" not in page
    page = client.get(f"/evidence/identity-access/?person={contact.pseudonym}&context=case").content.decode()
    assert "case page C1" in page and "group page" not in page
    response = client.get("/evidence/identity-access/?from=not-a-date")
    assert response.status_code == 400 and "not a date" in response.content.decode()
