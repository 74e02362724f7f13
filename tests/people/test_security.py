"""Hardening: log-in lockout, two factors for admins and coordinators, upload checks, check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
import time_machine

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from sauti.core import crypto
from sauti.monitoring.actions import ReportError
from sauti.people.models import TOTPDevice
from tests.audit.helpers import submit
from tests.conftest import PASSWORD, World

ROOT = Path(__file__).resolve().parents[2]


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> int:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    ).status_code


def test_repeated_failures_lock_that_username_from_that_address(world: World) -> None:
    client = Client()
    for _i in range(5):
        assert login(client, "wanjiku", "wrong") == 200
    response = client.post(
        "/accounts/login/", {"username": "wanjiku", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429 and "Too many failed attempts" in response.content.decode()
    assert response["Retry-After"] == "900"
    assert login(Client(), "wanjiku", PASSWORD, ip="10.0.0.2") == 302  # another address is not locked
    assert login(Client(), "WANJIKU", PASSWORD) == 429  # usernames are compared without case
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert login(Client(), "wanjiku", PASSWORD) == 302


def test_the_lockout_message_is_in_the_users_language(world: World) -> None:
    client = Client()
    client.cookies["sauti_language"] = "sw"
    for _i in range(6):
        response = client.post(
            "/accounts/login/", {"username": "bob", "password": "x"}, REMOTE_ADDR="10.0.0.9"
        )
    assert response.status_code == 429 and 'lang="sw"' in response.content.decode()


def test_a_successful_log_in_clears_earlier_failures(world: World) -> None:
    client = Client()
    for _i in range(4):
        login(client, "kamau", "wrong")
    assert login(client, "kamau", PASSWORD) == 302
    for _i in range(4):
        assert login(Client(), "kamau", "wrong") == 200
    assert login(Client(), "kamau", PASSWORD) == 302


@override_settings(SAUTI_REQUIRE_2FA=True)
def test_a_coordinator_enrols_an_authenticator_and_gets_recovery_codes(world: World) -> None:
    client = Client()
    assert login(client, "wanjiku", PASSWORD) == 302
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/?next=/cases/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=world.wanjiku)
    assert not device.confirmed and len(device.secret_ciphertext) > 40
    totp = pyotp.TOTP(crypto.decrypt(device.secret_ciphertext))
    wrong = client.post("/accounts/2fa/", {"code": "000000" if totp.now() != "000000" else "111111"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    used = totp.now()
    done = client.post("/accounts/2fa/", {"code": used, "next": "/cases/"})
    assert done.status_code == 200 and done.content.decode().count("<li><code>") == 10
    assert client.get("/cases/").status_code == 200
    codes = [
        line.split("<code>")[1].split("</code>")[0]
        for line in done.content.decode().splitlines()
        if "<li><code>" in line
    ]
    # A new session: the code just used cannot be replayed; a recovery code works once.
    second = Client()
    login(second, "wanjiku", PASSWORD)
    assert second.post("/accounts/2fa/", {"code": used}).status_code == 400
    assert second.post("/accounts/2fa/", {"code": codes[0], "next": "/cases/"}).status_code == 302
    assert second.get("/cases/").status_code == 200
    third = Client()
    login(third, "wanjiku", PASSWORD)
    assert third.post("/accounts/2fa/", {"code": codes[0]}).status_code == 400


@override_settings(SAUTI_REQUIRE_2FA=True)
def test_who_needs_a_second_factor(world: World) -> None:
    for persona, required in (("alice", True), ("wanjiku", True), ("bob", True), ("otieno", False),
                              ("kamau", False), ("chief", False), ("achieng", False)):  # fmt: skip
        client = Client()
        login(client, persona, PASSWORD)
        assert (client.get("/").status_code == 302) == required, persona
    assert Client().get("/").status_code == 200  # anonymous visitors are not affected
    assert Client().get("/accounts/2fa/").status_code == 302  # ... and sent to log in first


@override_settings(SAUTI_REQUIRE_2FA=True)
def test_guessing_second_factor_codes_is_locked_out(world: World) -> None:
    client = Client()
    login(client, "alice", PASSWORD)
    statuses = [
        client.post("/accounts/2fa/", {"code": "123456"}, REMOTE_ADDR="10.0.0.1").status_code
        for _i in range(7)
    ]
    assert statuses[:5] == [400] * 5 and statuses[5:] == [429, 429]


@override_settings(SAUTI_REQUIRE_2FA=True)
def test_an_unsafe_next_address_is_ignored(world: World) -> None:
    client = Client()
    login(client, "wanjiku", PASSWORD)
    client.get("/accounts/2fa/")
    totp = pyotp.TOTP(crypto.decrypt(TOTPDevice.objects.get(user=world.wanjiku).secret_ciphertext))
    done = client.post("/accounts/2fa/", {"code": totp.now(), "next": "https://evil.example/"})
    assert 'href="/"' in done.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"MZ\x90\x00\x03 an executable", "is not a photo"),
        (
            "photo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "is not a photo",
        ),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "is not a photo"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "could not be read"),
    ],
)
def test_uploads_are_checked_by_content_not_by_name(
    world: World, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ReportError, match=message):
        submit(world, "Water cut", attachments=[SimpleUploadedFile(name, content, "image/png")])


def test_check_deploy_is_clean_in_production_mode(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "SAUTI_ENV": "production",
        "SAUTI_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "a-production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SAUTI_IDENTITY_KEYS": "cHJvZHVjdGlvbi1saWtlLWtleS0wMTIzNDU2Nzg5MDE=",
        "SAUTI_LOOKUP_KEY": "production-like-lookup-key-0123456789",
        "ALLOWED_HOSTS": "sauti.example.org",
        "SITE_URL": "https://sauti.example.org",
    }
    done = subprocess.run(
        [sys.executable, "-m", "sauti", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
