"""Every people URL requested as every persona: allowed or denied, and identities never leak."""

from __future__ import annotations

import pytest

from sauti.people.models import IdentityAccess
from tests.conftest import World

NAME = "Njeri Wambui"  # a member of the Mathare group (Umoja)
PHONE = "+254712000001"


def urls(w: World) -> dict[str, str]:
    return {
        "orgs": "/organisations/",
        "umoja": f"/organisations/{w.umoja.slug}/",
        "haki": f"/organisations/{w.haki.slug}/",
        "groups": "/groups/",
        "mathare": f"/groups/{w.mathare_group.pk}/",
        "kiambu": f"/groups/{w.kiambu_group.pk}/",
        "haki_group": f"/groups/{w.haki_group.pk}/",
        "new_group": f"/organisations/{w.umoja.slug}/groups/new/",
        "add_member": f"/groups/{w.mathare_group.pk}/members/new/",
        "import": f"/groups/{w.mathare_group.pk}/import/",
        "add_member_kiambu": f"/groups/{w.kiambu_group.pk}/members/new/",
    }


# persona -> url key -> expected status
MATRIX: dict[str, dict[str, int]] = {
    "alice": dict.fromkeys(["orgs", "umoja", "haki", "groups", "mathare", "kiambu", "haki_group", "new_group", "add_member", "import", "add_member_kiambu"], 200),
    "wanjiku": {"orgs": 200, "umoja": 200, "haki": 404, "groups": 200, "mathare": 200, "kiambu": 200, "haki_group": 404, "new_group": 200, "add_member": 200, "import": 200, "add_member_kiambu": 200},
    "bob": {"orgs": 200, "umoja": 404, "haki": 200, "groups": 200, "mathare": 404, "kiambu": 404, "haki_group": 200, "new_group": 404, "add_member": 404, "import": 404, "add_member_kiambu": 404},
    "otieno": {"orgs": 200, "umoja": 200, "haki": 404, "groups": 200, "mathare": 200, "kiambu": 200, "haki_group": 404, "new_group": 403, "add_member": 403, "import": 403, "add_member_kiambu": 403},
    "achieng": {"orgs": 200, "umoja": 200, "haki": 404, "groups": 200, "mathare": 200, "kiambu": 200, "haki_group": 404, "new_group": 403, "add_member": 200, "import": 200, "add_member_kiambu": 403},
    "kamau": {"orgs": 200, "umoja": 200, "haki": 404, "groups": 200, "mathare": 200, "kiambu": 200, "haki_group": 404, "new_group": 403, "add_member": 403, "import": 403, "add_member_kiambu": 403},
    "chief": {"orgs": 200, "umoja": 200, "haki": 404, "groups": 200, "mathare": 404, "kiambu": 404, "haki_group": 404, "new_group": 403, "add_member": 404, "import": 404, "add_member_kiambu": 404},
    "outsider": {"orgs": 200, "umoja": 404, "haki": 404, "groups": 200, "mathare": 404, "kiambu": 404, "haki_group": 404, "new_group": 404, "add_member": 404, "import": 404, "add_member_kiambu": 404},
}  # fmt: skip

SEES_IDENTITIES = {"alice", "wanjiku", "achieng"}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_it_allows_and_denies_every_url_by_role(world: World, persona: str) -> None:
    client = world.client_for(getattr(world, persona))
    got = {key: client.get(url).status_code for key, url in urls(world).items()}
    assert got == MATRIX[persona]


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_identities_are_shown_only_to_roles_that_allow_them_and_each_view_is_logged(
    world: World, persona: str
) -> None:
    user = getattr(world, persona)
    client = world.client_for(user)
    pages = [client.get(url).content.decode() for url in urls(world).values()]
    pages += [client.get("/").content.decode()]
    leaked = any(NAME in page or PHONE in page for page in pages)
    assert leaked == (persona in SEES_IDENTITIES)
    logged = IdentityAccess.objects.filter(user=user, contact__group_memberships__group=world.mathare_group)
    assert logged.exists() == (persona in SEES_IDENTITIES)


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    client = world.client_for(None)
    for url in urls(world).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_identities_are_not_stored_in_clear(world: World) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name_ciphertext, phone_ciphertext, phone_hash FROM people_contact")
        dump = repr(cursor.fetchall())
    assert NAME not in dump and PHONE not in dump and "712000001" not in dump


# Evidence pages (sauti/evidence): bundle download, the Umoja signing-key page, the identity-access log.
EVIDENCE_URLS = ("/evidence/bundle/", "/evidence/keys/umoja/", "/evidence/identity-access/")
EVIDENCE_MATRIX: dict[str, tuple[int, int, int]] = {
    "alice": (200, 200, 200), "wanjiku": (200, 200, 403), "bob": (200, 404, 403), "otieno": (403, 200, 403),
    "achieng": (403, 200, 403), "kamau": (403, 200, 403), "chief": (403, 200, 403), "outsider": (404, 404, 404),
}  # fmt: skip


@pytest.mark.parametrize("persona", sorted(EVIDENCE_MATRIX))
def test_evidence_urls_by_role_and_no_identities_on_them(world: World, persona: str) -> None:
    client = world.client_for(getattr(world, persona))
    responses = [client.get(url) for url in EVIDENCE_URLS]
    assert tuple(r.status_code for r in responses) == EVIDENCE_MATRIX[persona]
    assert not any(NAME in r.content.decode() or PHONE in r.content.decode() for r in responses)
