"""Every monitoring page URL requested as every persona: allowed, forbidden or not found; identities never leak."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from django.utils import timezone

from sauti.monitoring.models import Case, CaseEvent, Category, Status
from sauti.people.models import IdentityAccess
from tests.conftest import World
from tests.monitoring.test_cases import REPORTER_NAME, REPORTER_PHONE, Seeded, seed

PERSONAS = ["alice", "wanjiku", "bob", "otieno", "achieng", "kamau", "chief", "outsider"]


@pytest.fixture
def seeded(world: World) -> Seeded:
    return seed(world)


def get_urls(s: Seeded) -> dict[str, str]:
    since = urlencode({"since": (timezone.now() - timedelta(hours=1)).isoformat()})
    return {
        "inbox": "/cases/",
        "poll": f"/cases/poll/?{since}",
        "case": f"/cases/{s.case.pk}/",
        "referred": f"/cases/{s.referred.pk}/",
        "haki": f"/cases/{s.haki_case.pk}/",
        "photo": f"/cases/attachments/{s.attachment.pk}/",
        "thumb": f"/cases/attachments/{s.attachment.pk}/?v=thumb",
        "original": f"/cases/attachments/{s.attachment.pk}/?v=original",
        "referred_photo": f"/cases/attachments/{s.referred_attachment.pk}/",
        "referred_original": f"/cases/attachments/{s.referred_attachment.pk}/?v=original",
        "monitor_form": "/cases/new-report/",
        "categories": "/cases/categories/",
        "public_form": "/report/",
        "place_picker": "/report/place/?place_text=Mabatini",
        "local_places": "/cases/places/umoja/",
    }


KEYS = [
    "inbox", "poll", "case", "referred", "haki", "photo", "thumb", "original", "referred_photo",
    "referred_original", "monitor_form", "categories", "public_form", "place_picker", "local_places",
]  # fmt: skip


def row(**overrides: int) -> dict[str, int]:
    return {**dict.fromkeys(KEYS, 200), **overrides}


# persona -> url key -> expected status
GET_MATRIX: dict[str, dict[str, int]] = {
    "alice": row(),
    "wanjiku": row(haki=404),
    "bob": row(case=404, referred=404, photo=404, thumb=404, original=404, referred_photo=404, referred_original=404,
               local_places=404),
    "otieno": row(haki=404, original=403, referred_original=403, categories=403, local_places=403),
    "achieng": row(haki=404, original=403, referred_original=403, categories=403, local_places=403),
    "kamau": row(haki=404, original=403, referred_original=403, categories=403, monitor_form=403, local_places=403),
    "chief": row(case=404, haki=404, photo=404, thumb=404, original=404, referred_original=403, categories=403, monitor_form=403,
                 local_places=403),
    "outsider": row(inbox=403, poll=403, case=404, referred=404, haki=404, photo=404, thumb=404, original=404,
                    referred_photo=404, referred_original=404, categories=403, monitor_form=403, local_places=404),
}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_is_allowed_or_denied_by_role(world: World, seeded: Seeded, persona: str) -> None:
    client = world.client_for(getattr(world, persona))
    got = {key: client.get(url).status_code for key, url in get_urls(seeded).items()}
    assert got == GET_MATRIX[persona]


def post_urls(s: Seeded, w: World) -> dict[str, str]:
    umoja_category = Category.objects.get(organisation=w.umoja, key="water")
    return {
        "status": f"/cases/{s.case.pk}/status/",
        "status_referred": f"/cases/{s.referred.pk}/status/",
        "edit": f"/cases/{s.case.pk}/edit/",
        "note": f"/cases/{s.case.pk}/notes/",
        "note_referred": f"/cases/{s.referred.pk}/notes/",
        "confirm": f"/cases/{s.case.pk}/reports/{s.report.pk}/confirm/",
        "split": f"/cases/{s.case.pk}/reports/{s.report.pk}/split/",
        "move": f"/cases/{s.case.pk}/reports/{s.report.pk}/move/",
        "bulk": "/cases/bulk/",
        "category_edit": f"/cases/categories/{umoja_category.pk}/",
        "category_add": f"/cases/categories/{w.umoja.slug}/new/",
        "local_place_add": f"/cases/places/{w.umoja.slug}/",
    }


POST_KEYS = ["status", "status_referred", "edit", "note", "note_referred", "confirm", "split", "move", "bulk",
             "category_edit", "category_add", "local_place_add"]  # fmt: skip
# Empty POST bodies: 400 where the user may act (the form is refused), else 403/404 before any validation.
# confirm and split need no fields, so they are checked without a body too, in the test below.
BAD = 400


def post_row(**overrides: int) -> dict[str, int]:
    return {**dict.fromkeys([k for k in POST_KEYS if k not in ("confirm", "split")], BAD), **overrides}


POST_MATRIX: dict[str, dict[str, int]] = {
    "alice": post_row(),
    "wanjiku": post_row(),
    "bob": post_row(status=404, status_referred=404, edit=404, note=404, note_referred=404, move=404,
                    category_edit=404, category_add=404, local_place_add=404),
    "otieno": post_row(status=403, status_referred=403, edit=403, note=403, note_referred=403, move=403, bulk=403,
                       category_edit=403, category_add=403, local_place_add=403),
    "chief": post_row(status=404, status_referred=403, edit=404, note=404, note_referred=403, move=404, bulk=403,
                      category_edit=403, category_add=403, local_place_add=403),
    "outsider": post_row(status=404, status_referred=404, edit=404, note=404, note_referred=404, move=404, bulk=403,
                         category_edit=404, category_add=404, local_place_add=404),
}  # fmt: skip
POST_MATRIX["achieng"] = POST_MATRIX["kamau"] = POST_MATRIX["otieno"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_action_is_refused_before_validation_to_those_who_may_not_act(
    world: World, seeded: Seeded, persona: str
) -> None:
    client = world.client_for(getattr(world, persona))
    urls = post_urls(seeded, world)
    events, categories = CaseEvent.objects.count(), Category.objects.count()
    got = {key: client.post(urls[key], {}).status_code for key in POST_MATRIX[persona]}
    assert got == POST_MATRIX[persona]
    assert (CaseEvent.objects.count(), Category.objects.count()) == (events, categories)


@pytest.mark.parametrize("persona", PERSONAS)
def test_grouping_decisions_are_only_for_those_who_triage(world: World, seeded: Seeded, persona: str) -> None:
    client = world.client_for(getattr(world, persona))
    urls = post_urls(seeded, world)
    expected = {"alice": 302, "wanjiku": 302, "bob": 404, "chief": 404, "outsider": 404}.get(persona, 403)
    assert client.post(urls["confirm"]).status_code == expected
    assert client.post(urls["split"]).status_code == expected
    assert Case.objects.filter(organisation=world.umoja).count() == (4 if expected == 302 else 3)


SEES_IDENTITIES = {"alice", "wanjiku"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_reporters_identities_are_shown_only_to_roles_that_allow_them_and_each_view_is_logged(
    world: World, seeded: Seeded, persona: str
) -> None:
    user = getattr(world, persona)
    client = world.client_for(user)
    pages = [
        client.get(url).content.decode()
        for key, url in get_urls(seeded).items()
        if "photo" not in key and key not in ("thumb", "original", "referred_original")
    ]
    pages += [client.get("/").content.decode()]
    leaked = any(REPORTER_NAME in page or REPORTER_PHONE in page or "712000099" in page for page in pages)
    assert leaked == (persona in SEES_IDENTITIES)
    assert IdentityAccess.objects.filter(user=user, contact__reports__isnull=False).exists() == (
        persona in SEES_IDENTITIES
    )


def test_anonymous_visitors_are_sent_to_log_in_except_for_the_public_form(
    world: World, seeded: Seeded
) -> None:
    client = world.client_for(None)
    for key, url in get_urls(seeded).items():
        response = client.get(url)
        if key in ("public_form", "place_picker"):
            assert response.status_code == 200, key
        else:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), key
    for url in post_urls(seeded, world).values():
        response = client.post(url, {"to_status": "triaged"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Case.objects.get(pk=seeded.case.pk).status == Status.NEW


def test_the_navigation_shows_cases_only_to_those_who_may_see_some(world: World) -> None:
    for persona in PERSONAS:
        html = world.client_for(getattr(world, persona)).get("/").content.decode()
        assert ('href="/cases/"' in html) == (persona != "outsider"), persona
        assert 'href="/report/"' in html
    assert 'href="/report/"' in world.client_for(None).get("/").content.decode()


def test_reporter_identities_are_not_stored_in_clear(world: World, seeded: Seeded) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name_ciphertext, phone_ciphertext, phone_hash FROM people_contact")
        dump = repr(cursor.fetchall())
    assert REPORTER_NAME not in dump and "712000099" not in dump


def test_the_admin_edits_categories_and_only_shows_reports_and_cases(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.alice)
    for url in [
        "/admin/monitoring/category/",
        "/admin/monitoring/case/",
        f"/admin/monitoring/case/{seeded.case.pk}/change/",
        "/admin/monitoring/report/",
        f"/admin/monitoring/report/{seeded.report.pk}/change/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert REPORTER_NAME not in response.content.decode()
    assert client.get("/admin/monitoring/case/add/").status_code == 403
    before = Case.objects.get(pk=seeded.case.pk).title
    client.post(f"/admin/monitoring/case/{seeded.case.pk}/change/", {"title": "changed in the admin"})
    assert Case.objects.get(pk=seeded.case.pk).title == before
    water = Category.objects.get(organisation=world.umoja, key="water")
    response = client.post(
        f"/admin/monitoring/category/{water.pk}/change/",
        {
            "organisation": world.umoja.pk,
            "key": "water",
            "name_en": "Water and pipes",
            "name_sw": "Maji",
            "is_active": "on",
            "position": "20",
        },
    )
    assert response.status_code == 302
    assert Category.objects.get(pk=water.pk).name_en == "Water and pipes"
