"""Staff pages: channels (credentials write-only), inbox with release, outbox, broadcast preview, simulator."""

from __future__ import annotations

from sauti.messaging.models import Channel, InboundMessage, OutboundMessage
from sauti.monitoring.models import Report
from sauti.people.actions import contacts_with_phone, do_record_consent
from tests.conftest import World


def base(world: World) -> str:
    return f"/messaging/{world.umoja.slug}"


def test_a_coordinator_adds_a_channel_and_sees_its_callbacks_but_never_its_key(world: World) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post(
        f"{base(world)}/channels/",
        {
            "kind": "africastalking",
            "name": "Main",
            "address": "21512",
            "username": "umoja",
            "api_key": "very-secret-key",
            "price_per_segment": "0.80",
            "currency": "KES",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.credentials == {"api_key": "very-secret-key", "username": "umoja"}
    assert "very-secret-key" not in channel.credentials_ciphertext
    page = client.get(f"{base(world)}/channels/").content.decode()
    assert f"/messaging/hooks/at/{channel.token}/incoming/" in page
    assert "very-secret-key" not in page


def test_a_channel_without_its_credentials_is_a_400_with_the_reason(world: World) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post(
        f"{base(world)}/channels/",
        {"kind": "twilio", "name": "T", "price_per_segment": "1", "currency": "USD"},
    )
    assert response.status_code == 400
    assert "auth token" in response.content.decode()
    assert not Channel.objects.exists()


def test_the_simulator_goes_through_the_webhook_and_shows_the_reply(
    world: World, dev_channel: Channel
) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post(
        f"{base(world)}/simulator/sms/",
        {"phone": "0799000999", "text": "Maji yamekatwa Mathare 4A, watu 50 hawana maji"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.provider_id.startswith("sim-") and message.phone == "+254799000999"
    report = Report.objects.get()
    assert report.channel == "sms" and report.people_affected == 50
    page = response.content.decode()
    assert "Maji yamekatwa" in page and report.reference in page
    thread = client.get(f"{base(world)}/simulator/thread/", {"phone": "+254799000999"}).content.decode()
    assert report.reference in thread
    full = client.get(f"{base(world)}/simulator/", {"phone": "+254799000999"}).content.decode()
    assert report.reference in full and 'hx-trigger="every 3s"' in full


def test_the_simulator_works_without_javascript(world: World, dev_channel: Channel) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post(f"{base(world)}/simulator/sms/", {"phone": "+254799000999", "text": "STOP"})
    assert response.status_code == 302 and response["Location"].endswith("?phone=+254799000999")
    assert OutboundMessage.objects.count() == 1


def test_the_simulator_dials_ussd(world: World, dev_channel: Channel) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post(
        f"{base(world)}/simulator/ussd/",
        {"phone": "+254799000999", "action": "dial"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Sauti" in response.content.decode()  # the conversation layer's main menu


def test_the_simulator_refuses_bad_input(world: World, dev_channel: Channel) -> None:
    client = world.client_for(world.wanjiku)
    bad_phone = client.post(f"{base(world)}/simulator/sms/", {"phone": "hello", "text": "x"})
    assert bad_phone.status_code == 400 and "phone number" in bad_phone.content.decode()
    assert client.get(f"{base(world)}/simulator/thread/", {"phone": "x"}).status_code == 400
    assert client.get(f"{base(world)}/simulator/sms/").status_code == 405
    assert not InboundMessage.objects.exists()


def test_the_simulator_needs_a_dev_channel(world: World) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post(f"{base(world)}/simulator/sms/", {"phone": "+254799000999", "text": "x"})
    assert response.status_code == 400 and "development channel" in response.content.decode()


def test_the_inbox_shows_quarantined_messages_and_releases_them(world: World, dev_channel: Channel) -> None:
    client = world.client_for(world.wanjiku)
    client.post(
        f"{base(world)}/simulator/sms/",
        {"phone": "+254799000999", "text": "You have won! Claim your prize www.x.co Kibera"},
    )
    message = InboundMessage.objects.get()
    assert message.status == "quarantined"
    page = client.get(f"{base(world)}/inbox/", {"status": "quarantined"}).content.decode()
    assert "You have won" in page and "Release" in page
    assert client.post(f"{base(world)}/inbox/{message.pk}/release/").status_code == 302
    message.refresh_from_db()
    assert message.status == "processed"
    assert client.post(f"{base(world)}/inbox/999999/release/").status_code == 404


def test_another_organisations_coordinator_cannot_release(world: World, dev_channel: Channel) -> None:
    world.client_for(world.wanjiku).post(
        f"{base(world)}/simulator/sms/", {"phone": "+254799000999", "text": "www.spam.example"}
    )
    message = InboundMessage.objects.get()
    assert world.client_for(world.bob).post(f"{base(world)}/inbox/{message.pk}/release/").status_code == 404
    assert (
        world.client_for(world.otieno).post(f"{base(world)}/inbox/{message.pk}/release/").status_code == 403
    )


def test_broadcast_previews_the_cost_then_queues(world: World, dev_channel: Channel) -> None:
    for phone in ("+254712000001", "+254712000002"):
        contact = next(iter(contacts_with_phone(world.umoja, phone)), None)  # the group's record
        assert contact is not None
        do_record_consent(contact, "messaging", True, "paper", None)
    client = world.client_for(world.wanjiku)
    form = {"text_sw": "Habari {name}, mkutano kesho saa tatu", "text_en": "", "group": "", "language": ""}
    preview = client.post(f"{base(world)}/broadcast/", {**form, "confirm": "preview"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "2 messages, 2 SMS parts, about KES 1.60" in page
    assert not OutboundMessage.objects.exists()
    sent = client.post(f"{base(world)}/broadcast/", {**form, "confirm": "send"})
    assert sent.status_code == 302
    assert sorted(OutboundMessage.objects.values_list("text", flat=True)) == [
        "Habari Mumbua, mkutano kesho saa tatu",
        "Habari Njeri, mkutano kesho saa tatu",
    ]
    outbox = client.get(f"{base(world)}/outbox/").content.decode()
    assert "Habari Njeri" in outbox and "+254712000001" not in outbox


def test_broadcast_to_one_group_and_bad_input(world: World, dev_channel: Channel) -> None:
    client = world.client_for(world.wanjiku)
    assert client.post(f"{base(world)}/broadcast/", {"text_sw": ""}).status_code == 400
    assert (
        client.post(
            f"{base(world)}/broadcast/", {"text_sw": "x", "group": str(world.haki_group.pk)}
        ).status_code
        == 400
    )
    response = client.post(
        f"{base(world)}/broadcast/",
        {"text_sw": "Habari", "group": str(world.mathare_group.pk), "confirm": "preview"},
    )
    assert response.status_code == 200
    assert "1 person left out: no consent to messages" in response.content.decode()


def test_the_sms_home_sends_each_persona_where_they_may_go(world: World) -> None:
    assert world.client_for(world.wanjiku).get("/messaging/")["Location"] == "/messaging/umoja/channels/"
    alice = world.client_for(world.alice).get("/messaging/")
    assert alice.status_code == 200 and "/messaging/haki/simulator/" in alice.content.decode()
    assert world.client_for(world.otieno).get("/messaging/").status_code == 403
    assert world.client_for(None).get("/messaging/").status_code == 302
    assert 'href="/messaging/"' in world.client_for(world.wanjiku).get("/").content.decode()
    assert 'href="/messaging/"' not in world.client_for(world.otieno).get("/").content.decode()


def test_the_demo_has_a_simulator_channel(world: World) -> None:
    from sauti.messaging.demo import build_demo_messaging

    world.umoja.is_demo = True
    world.umoja.save()
    build_demo_messaging(log=lambda _: None)
    build_demo_messaging(log=lambda _: None)
    channel = Channel.objects.get()
    assert channel.kind == "dev" and channel.organisation == world.umoja
    page = world.client_for(world.wanjiku).get(f"{base(world)}/simulator/").content.decode()
    assert "Send SMS" in page
