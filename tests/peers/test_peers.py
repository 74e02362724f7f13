"""Peer learning (issue 18): a practice library searchable by problem and place, public when shareable;
exchange visits with lessons from each side; adoption by a visiting group and its results."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sauti.peers.models import Adoption, ExchangeVisit, Practice, PracticeFile
from tests.conftest import World

TOILET = {
    "title": "Tuelewane pay-toilet model",
    "language": "en",
    "problem": "No clean toilets in the settlement; women unsafe at night.",
    "approach": "A women's group runs a pay toilet: small fees pay a caretaker and repairs.",
    "cost": "KES 250,000 to build; fees cover running costs",
    "where_it_works": "Dense settlements with piped water",
    "shareable": "on",
}


def _practice(w: World, **extra: str) -> Practice:
    c = w.client_for(w.wanjiku)
    r = c.post("/peers/practices/new/", {**TOILET, "groups": [w.mathare_group.pk], **extra})
    assert r.status_code == 302, r.content.decode()[:500]
    return Practice.objects.latest("pk")


def _visit(w: World, practice: Practice, other_visitors: str = "", days_ago: int = 4) -> ExchangeVisit:
    r = w.client_for(w.wanjiku).post(
        "/peers/exchanges/",
        {
            "host_group": w.mathare_group.pk,
            "visiting_groups": [w.kiambu_group.pk],
            "other_visitors": other_visitors,
            "held_on": (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat(),
            "place": "Mathare 4A",
            "practices": [practice.pk],
        },
    )
    assert r.status_code == 302
    return ExchangeVisit.objects.get()


def test_a_practice_is_searchable_and_public_when_shareable(world: World) -> None:
    w = world
    shared = _practice(w)
    private = _practice(
        w, title="Our savings ledger", problem="Loans lost", approach="A ledger", shareable=""
    )
    public = Client()
    page = public.get("/peers/practices/?q=toilet").content.decode()
    assert "Tuelewane pay-toilet model" in page
    assert "savings ledger" not in public.get("/peers/practices/").content.decode()
    assert public.get(f"/peers/practices/{shared.pk}/").status_code == 200
    assert public.get(f"/peers/practices/{private.pk}/").status_code == 404
    assert w.client_for(w.bob).get(f"/peers/practices/{private.pk}/").status_code == 404
    assert w.client_for(w.kamau).get(f"/peers/practices/{private.pk}/").status_code == 200
    assert "savings" not in public.get("/peers/practices/?q=toilet+women").content.decode()
    assert "Tuelewane" in public.get("/peers/practices/?q=women+caretaker").content.decode()


def test_an_exchange_visit_leads_to_an_adoption_with_results(world: World) -> None:
    w = world
    practice = _practice(w)
    c = w.client_for(w.wanjiku)
    visit = _visit(w, practice, other_visitors="Kisumu women's savings group", days_ago=40)
    for side, group, text in (
        ("host", "Mathare women", "Visitors asked how we keep the books; we should post the accounts."),
        ("visitor", "Kiambu women", "Fees must be low enough for children to use it."),
    ):
        assert (
            c.post(
                f"/peers/exchanges/{visit.pk}/lessons/", {"side": side, "group_name": group, "text": text}
            ).status_code
            == 302
        )
    page = c.get(f"/peers/exchanges/{visit.pk}/").content.decode()
    assert "post the accounts" in page and "Kisumu women" in page
    r = c.post(
        f"/peers/practices/{practice.pk}/adopt/",
        {
            "group": w.kiambu_group.pk,
            "status": "started",
            "started_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
        },
    )
    assert r.status_code == 302
    r = c.post(
        f"/peers/practices/{practice.pk}/adopt/",
        {
            "group": w.kiambu_group.pk,
            "status": "running",
            "started_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
            "results": "120 users a day; caretaker paid.",
        },
    )
    assert r.status_code == 302
    adoption = Adoption.objects.get()
    assert adoption.status == "running" and "120 users" in adoption.results
    assert "120 users a day" in Client().get(f"/peers/practices/{practice.pk}/").content.decode()


def test_bad_input_gets_a_400(world: World) -> None:
    w = world
    practice = _practice(w)
    c = w.client_for(w.wanjiku)
    r = c.post(
        "/peers/exchanges/",
        {"host_group": w.mathare_group.pk, "held_on": "2026-01-01", "practices": [practice.pk]},
    )
    assert r.status_code == 400
    assert "visiting groups" in r.content.decode()
    r = c.post(f"/peers/practices/{practice.pk}/adopt/", {"group": w.kiambu_group.pk, "status": "started"})
    assert r.status_code == 400
    r = c.post(
        f"/peers/practices/{practice.pk}/files/",
        {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")},
    )
    assert r.status_code == 400
    assert w.client_for(w.kamau).post(f"/peers/practices/{practice.pk}/adopt/", {}).status_code == 404
    assert (
        w.client_for(w.bob).post("/peers/practices/new/", {**TOILET}).status_code == 302
    )  # Bob adds to Haki
    assert Practice.objects.filter(organisation=w.haki).count() == 1


def test_photos_are_kept_without_exif(world: World) -> None:
    w = world
    practice = _practice(w)
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buf = io.BytesIO()
    image.save(buf, format="JPEG", exif=exif)
    assert b"SecretCam" in buf.getvalue()
    c = w.client_for(w.wanjiku)
    r = c.post(
        f"/peers/practices/{practice.pk}/files/",
        {
            "file": SimpleUploadedFile("toilet.jpg", buf.getvalue(), content_type="image/jpeg"),
            "caption": "The toilet block",
        },
    )
    assert r.status_code == 302
    stored = PracticeFile.objects.get()
    assert b"SecretCam" not in stored.file.read()
    assert Client().get(f"/peers/practices/files/{stored.pk}/").status_code == 200


def test_practice_texts_are_redacted_for_those_who_may_not_see_identities(world: World) -> None:
    """Review (session 6): "Contact Mary Wambui 0722333444" reached an analyst, a field monitor, the public."""
    w = world
    leak = "Contact Mary Wambui 0722333444"
    private = _practice(w, title="Water kiosk", problem=leak, approach=f"Ask {leak}", shareable="")
    shared = _practice(w, title="Street lights", problem=leak, approach="Lights", cost=leak)
    assert leak in w.client_for(w.wanjiku).get(f"/peers/practices/{private.pk}/").content.decode()
    for persona in (w.kamau, w.otieno):
        page = w.client_for(persona).get(f"/peers/practices/{private.pk}/").content.decode()
        assert "Wambui" not in page and "0722333444" not in page, persona.username
        assert "[phone]" in page and "[name]" in page
        listing = w.client_for(persona).get("/peers/practices/").content.decode()
        assert "Wambui" not in listing and "0722333444" not in listing
    for reader in (w.client_for(None), w.client_for(w.bob)):  # the public, another organisation
        page = reader.get(f"/peers/practices/{shared.pk}/").content.decode()
        assert "Wambui" not in page and "0722333444" not in page
        listing = reader.get("/peers/practices/").content.decode()
        assert "Wambui" not in listing and "0722333444" not in listing


def test_the_titles_of_practices_shown_on_a_visit_are_redacted_too(world: World) -> None:
    w = world
    visit = _visit(w, _practice(w, title="Mary Wambui's water kiosk 0722333444"))
    assert "0722333444" in w.client_for(w.wanjiku).get(f"/peers/exchanges/{visit.pk}/").content.decode()
    for persona in (w.kamau, w.otieno):
        page = w.client_for(persona).get(f"/peers/exchanges/{visit.pk}/")
        assert page.status_code == 200
        assert "0722333444" not in page.content.decode() and "Wambui" not in page.content.decode()
