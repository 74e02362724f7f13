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
        "msg_channels": f"/messaging/{w.umoja.slug}/channels/",
        "msg_inbox": f"/messaging/{w.umoja.slug}/inbox/",
        "msg_outbox": f"/messaging/{w.umoja.slug}/outbox/",
        "msg_broadcast": f"/messaging/{w.umoja.slug}/broadcast/",
        "msg_simulator": f"/messaging/{w.umoja.slug}/simulator/",
        "msg_haki_channels": f"/messaging/{w.haki.slug}/channels/",
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
# Messaging staff pages: the organisation's admins and coordinators only.
_UMOJA_MESSAGING = ["msg_channels", "msg_inbox", "msg_outbox", "msg_broadcast", "msg_simulator"]
for _persona, (_umoja, _haki) in {
    "alice": (200, 200), "wanjiku": (200, 404), "bob": (404, 200), "otieno": (403, 404),
    "achieng": (403, 404), "kamau": (403, 404), "chief": (403, 404), "outsider": (404, 404),
}.items():  # fmt: skip
    MATRIX[_persona].update(dict.fromkeys(_UMOJA_MESSAGING, _umoja), msg_haki_channels=_haki)

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


# SMS conversations (sauti/conversations): coordinators and admins only; identities to those who may see them.
CONVERSATION_MATRIX: dict[str, dict[str, int]] = {
    "alice": {"list": 200, "umoja": 200, "haki": 200},
    "wanjiku": {"list": 200, "umoja": 200, "haki": 404},
    "bob": {"list": 200, "umoja": 404, "haki": 200},
    "otieno": {"list": 403, "umoja": 403, "haki": 404},
    "achieng": {"list": 403, "umoja": 403, "haki": 404},
    "kamau": {"list": 403, "umoja": 403, "haki": 404},
    "chief": {"list": 403, "umoja": 403, "haki": 404},
    "outsider": {"list": 403, "umoja": 404, "haki": 404},
}
REPORTER_PHONE = "+254799000123"


@pytest.mark.parametrize("persona", sorted(CONVERSATION_MATRIX))
def test_conversation_pages_by_role(world: World, persona: str) -> None:
    from django.utils import timezone

    from sauti.conversations.actions import do_handle_sms
    from sauti.conversations.models import SmsConversation

    for n, org in enumerate([world.umoja, world.haki]):
        do_handle_sms(
            organisation=org,
            phone=REPORTER_PHONE,
            text="No water for a week",
            received_at=timezone.now(),
            inbound_id=n + 1,
        )
    umoja = SmsConversation.objects.get(organisation=world.umoja)
    haki = SmsConversation.objects.get(organisation=world.haki)
    user = getattr(world, persona)
    client = world.client_for(user)
    pages = {
        "list": client.get("/conversations/"),
        "umoja": client.get(f"/conversations/{umoja.pk}/"),
        "haki": client.get(f"/conversations/{haki.pk}/"),
    }
    assert {k: r.status_code for k, r in pages.items()} == CONVERSATION_MATRIX[persona]
    shown = any(REPORTER_PHONE in r.content.decode() for r in pages.values())
    assert shown == (persona in {"alice", "wanjiku", "bob"})
    assert IdentityAccess.objects.filter(user=user, contact=umoja.contact).exists() == (
        persona in {"alice", "wanjiku"}
    )
    assert world.client_for(None).get("/conversations/").status_code == 302


# --- Dialogues (issue 5) -------------------------------------------------------------------------


def dialogue_urls(w: World) -> dict[str, str]:
    import datetime as dt

    from django.utils import timezone

    from sauti.dialogues import actions
    from sauti.people.models import Office

    office = Office.objects.get(name="Chief, Mabatini")
    today = timezone.localdate()
    prog = actions.do_create_programme(
        w.umoja,
        w.wanjiku,
        title="P",
        starts_on=today,
        ends_on=today,
        groups=[w.mathare_group],
        offices=[office],
    )
    start = timezone.now() - dt.timedelta(days=2)
    meeting = actions.do_schedule_meeting(
        prog,
        w.wanjiku,
        kind="dialogue",
        title="M",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        already_held=True,
    )
    a, b = (actions.do_raise_priority(prog, w.wanjiku, title=t) for t in ("A", "B"))
    rnd = actions.do_open_round(prog, w.wanjiku, title="R", priorities=[a, b])
    actions.do_record_dots(rnd, w.wanjiku, group=w.mathare_group, voters=1, dots={a.pk: 1})
    actions.do_close_round(rnd, w.wanjiku)
    actions.do_freeze_round(rnd, w.wanjiku)
    inv = actions.do_draft_invitation(rnd, w.wanjiku, office=office, official_name="Chief", language="en")
    actions.do_advance_invitation(inv, w.wanjiku)
    com = actions.do_record_commitment(
        a, w.wanjiku, office=office, official_name="Chief", what="W", due_on=today
    )
    return {
        "list": "/dialogues/",
        "programme": f"/dialogues/{prog.pk}/",
        "dashboard": f"/dialogues/{prog.pk}/dashboard/",
        "meeting": f"/dialogues/meetings/{meeting.pk}/",
        "ics": f"/dialogues/meetings/{meeting.pk}/invite.ics",
        "round": f"/dialogues/rounds/{rnd.pk}/",
        "priority": f"/dialogues/priorities/{a.pk}/",
        "commitment": f"/dialogues/commitments/{com.pk}/",
        "letter": f"/dialogues/invitations/{inv.pk}/letter.pdf",
        "my_office": "/dialogues/my-office/",
        "scorecard": "/dialogues/scorecard/",
        "petition_templates": f"/dialogues/{prog.pk}/petition-templates/",
    }


_INSIDE = [
    "list",
    "programme",
    "dashboard",
    "meeting",
    "ics",
    "round",
    "priority",
    "commitment",
    "letter",
    "scorecard",
]
_NOTHING = {"list": 200, "scorecard": 200} | dict.fromkeys(
    ["programme", "dashboard", "meeting", "ics", "round", "priority", "commitment", "letter", "my_office"],
    404,
)
DIALOGUE_MATRIX: dict[str, dict[str, int]] = {
    "alice": dict.fromkeys(_INSIDE, 200) | {"my_office": 404},
    "wanjiku": dict.fromkeys(_INSIDE, 200) | {"my_office": 404},
    "otieno": dict.fromkeys(_INSIDE, 200) | {"my_office": 404},
    "achieng": dict.fromkeys(_INSIDE, 200) | {"my_office": 404},
    "kamau": dict.fromkeys(_INSIDE, 200) | {"my_office": 404},
    "chief": _NOTHING | {"commitment": 200, "letter": 200, "my_office": 200},
    "bob": _NOTHING,
    "outsider": _NOTHING,
}
# Petition and memorandum wording: those who manage the programme; others inside the organisation 403.
for _persona, _code in {"alice": 200, "wanjiku": 200, "otieno": 403, "achieng": 403, "kamau": 403}.items():
    DIALOGUE_MATRIX[_persona]["petition_templates"] = _code
for _persona in ("chief", "bob", "outsider"):
    DIALOGUE_MATRIX[_persona] = DIALOGUE_MATRIX[_persona] | {"petition_templates": 404}


@pytest.mark.parametrize("persona", sorted(DIALOGUE_MATRIX))
def test_every_dialogue_url_by_role(world: World, persona: str) -> None:
    pages = dialogue_urls(world)
    client = world.client_for(getattr(world, persona))
    got = {key: client.get(url).status_code for key, url in pages.items()}
    assert got == DIALOGUE_MATRIX[persona]


def test_anonymous_visitors_see_only_the_dialogue_scorecard(world: World) -> None:
    client = world.client_for(None)
    for key, url in dialogue_urls(world).items():
        response = client.get(url)
        if key == "scorecard":
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


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
