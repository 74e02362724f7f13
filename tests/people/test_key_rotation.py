"""Issue 14, break 3: `rotate-keys` covers every value encrypted with the identity keys, so the old key
can be removed afterwards and everything still works; `check --deploy` notices values it cannot read."""

from __future__ import annotations

import json

import pyotp
from cryptography.fernet import Fernet

from django.apps import apps
from django.core.checks import run_checks
from django.test import Client, override_settings
from django.utils import timezone

from sauti.audit.actions import organisation_key
from sauti.audit.models import OrganisationKey
from sauti.core import crypto
from sauti.messaging import actions as messaging
from sauti.messaging.models import Channel, InboundMessage, OutboundMessage
from sauti.people.models import TOTPDevice
from sauti.people.security import do_confirm_device, pending_device
from tests.audit.helpers import run
from tests.conftest import PASSWORD, World
from tests.messaging.fakes import FakeProvider, at_success

OLD = "test-identity-key"  # the suite's key (see the test settings)
SENDER = "+254711000042"


def every_ciphertext() -> list[str]:
    values: list[str] = []
    for model, fields in crypto.encrypted_fields():
        for row in model._base_manager.values_list(*fields):
            values.extend(v for v in row if v)
    return values


def test_every_field_holding_ciphertext_is_declared_encrypted() -> None:
    """The class of bug: a new `*_ciphertext` column that rotation and the deploy check do not know."""
    declared = {(m._meta.label, f) for m, fields in crypto.encrypted_fields() for f in fields}
    found = {
        (m._meta.label, f.attname)
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if "ciphertext" in f.attname or "secret" in f.attname
    }
    assert found and found <= declared
    assert {
        ("people.Contact", "name_ciphertext"),
        ("people.Contact", "phone_ciphertext"),
        ("messaging.InboundMessage", "phone_ciphertext"),
        ("messaging.OutboundMessage", "phone_ciphertext"),
        ("messaging.Channel", "credentials_ciphertext"),
        ("people.TOTPDevice", "secret_ciphertext"),
        ("audit.OrganisationKey", "private_key_ciphertext"),
    } <= declared


def test_after_rotation_the_old_key_can_go_and_everything_still_works(
    world: World,
    at_channel: Channel,
    fake_provider: FakeProvider,
) -> None:
    # Before: an administrator with an authenticator, an inbound SMS waiting, a sent SMS, a signing key.
    device = pending_device(world.wanjiku)
    do_confirm_device(world.wanjiku)
    secret = crypto.decrypt(device.secret_ciphertext)
    organisation_key(world.umoja)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        inbound, created = messaging.do_receive_sms(
            at_channel, provider_id="ATXid_in_1", phone=SENDER, text="Maji hakuna", received_at=timezone.now()
        )
    assert created
    fake_provider.answer(201, at_success(SENDER))
    sent = messaging.do_queue_sms(world.umoja, to_phone=SENDER, text="Asante", channel=at_channel)
    assert sent is not None and messaging.do_send(sent.pk) is not None
    old_values = every_ciphertext()
    assert len(old_values) >= 10

    new = Fernet.generate_key().decode()
    with override_settings(SAUTI_IDENTITY_KEYS=f"{new},{OLD}"):
        code, out, err = run("rotate_keys", "--batch", "2")
        counts = json.loads(out)
        assert code == 0
        assert counts["inbound_messages"] == 1 and counts["outbound_messages"] == 1
        assert counts["channels"] == 1 and counts["totp_devices"] == 1 and counts["organisation_keys"] == 1
        assert counts["contacts"] == 3
        assert "1/1 inbound_messages" in err
        assert all(crypto.is_under_newest_key(v) for v in every_ciphertext())
        again = json.loads(run("rotate_keys")[1])
        assert sum(v for k, v in again.items() if k != "skipped") == 0  # idempotent

    with override_settings(SAUTI_IDENTITY_KEYS=new, SAUTI_REQUIRE_2FA=True):  # the old key is gone
        assert not set(old_values) & set(every_ciphertext())
        # Log in with the authenticator.
        client = Client()
        assert (
            client.post("/accounts/login/", {"username": "wanjiku", "password": PASSWORD}).status_code == 302
        )
        assert client.get("/cases/").status_code == 302
        done = client.post("/accounts/2fa/", {"code": pyotp.TOTP(secret).now(), "next": "/cases/"})
        assert done.status_code == 302 and client.get("/cases/").status_code == 200
        # Read the stored message's sender and send an SMS through the channel (its credentials decrypt).
        assert InboundMessage.objects.get(pk=inbound.pk).phone == SENDER
        assert OutboundMessage.objects.get(pk=sent.pk).phone == SENDER
        fake_provider.answer(201, at_success(SENDER))
        reply = messaging.do_queue_sms(world.umoja, to_phone=SENDER, text="Tumepokea", channel=at_channel)
        assert reply is not None
        result = messaging.do_send(reply.pk)
        assert result is not None and result.status == "sent"
        last = fake_provider.requests[-1]
        assert last.form["to"] == [SENDER] and last.headers["apikey"] == "at-secret-key"
        # The organisation still signs.
        assert organisation_key(world.umoja).public_key == OrganisationKey.objects.get().public_key
        assert not [m for m in run_checks(include_deployment_checks=True) if str(m.id).startswith("sauti.")]


def test_check_deploy_reports_values_the_keys_cannot_decrypt(world: World, at_channel: Channel) -> None:
    TOTPDevice.objects.create(user=world.wanjiku, secret_ciphertext=crypto.encrypt("JBSWY3DPEHPK3PXP"))
    assert not [m for m in run_checks(include_deployment_checks=True) if str(m.id).startswith("sauti.")]
    new = Fernet.generate_key().decode()
    with override_settings(SAUTI_IDENTITY_KEYS=f"{new},{OLD}"):
        found = [m for m in run_checks(include_deployment_checks=True) if m.id == "sauti.W001"]
        assert found and "rotate-keys" in str(found[0].hint)  # not yet rotated: a warning
    with override_settings(SAUTI_IDENTITY_KEYS=new):
        found = [m for m in run_checks(include_deployment_checks=True) if m.id == "sauti.E001"]
        assert found and "people.TOTPDevice.secret_ciphertext" in found[0].msg
        assert "messaging.Channel.credentials_ciphertext" in found[0].msg
