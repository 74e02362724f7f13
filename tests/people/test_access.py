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


# Opinion maps (sauti/opinions): the same matrix for the conversation pages.
def opinion_urls(w: World) -> dict[str, str]:
    from sauti.opinions.actions import StatementText, do_add_statement, do_create_conversation

    c = do_create_conversation(w.umoja, w.wanjiku, "Mabatini priorities")
    do_add_statement(c, StatementText(sw="Maji kila siku"), by_facilitator=True)
    return {
        "list": "/opinions/",
        "new": "/opinions/new/",
        "detail": f"/opinions/{c.pk}/",
        "report": f"/opinions/{c.pk}/report/",
        "pdf": f"/opinions/{c.pk}/report.pdf",
        "vote": f"/o/{c.public_code}/",
    }


OPINION_MATRIX: dict[str, dict[str, int]] = {
    "alice": {"list": 200, "new": 200, "detail": 200, "report": 200, "pdf": 200, "vote": 200},
    "wanjiku": {"list": 200, "new": 200, "detail": 200, "report": 200, "pdf": 200, "vote": 200},
    "bob": {"list": 200, "new": 200, "detail": 404, "report": 404, "pdf": 404, "vote": 200},
    "otieno": {"list": 200, "new": 403, "detail": 403, "report": 200, "pdf": 200, "vote": 200},
    "achieng": {"list": 200, "new": 403, "detail": 403, "report": 200, "pdf": 200, "vote": 200},
    "kamau": {"list": 200, "new": 403, "detail": 403, "report": 200, "pdf": 200, "vote": 200},
    "chief": {"list": 200, "new": 403, "detail": 403, "report": 200, "pdf": 200, "vote": 200},
    "outsider": {"list": 200, "new": 404, "detail": 404, "report": 404, "pdf": 404, "vote": 200},
    "anonymous": {"list": 302, "new": 302, "detail": 302, "report": 302, "pdf": 302, "vote": 200},
}  # fmt: skip


@pytest.mark.parametrize("persona", sorted(OPINION_MATRIX))
def test_opinion_pages_allow_and_deny_by_role(world: World, persona: str) -> None:
    client = world.client_for(None if persona == "anonymous" else getattr(world, persona))
    got = {key: client.get(url).status_code for key, url in opinion_urls(world).items()}
    assert got == OPINION_MATRIX[persona]
