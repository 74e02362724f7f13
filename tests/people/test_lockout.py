"""Issue 14, break 5: one lockout for every way in (web, admin, ODK Basic, API tokens), keyed on the
account and the client address as seen through trusted proxies only; no password over ODK Basic for roles
that need a second factor (they use revocable per-device ODK passwords instead)."""

from __future__ import annotations

import base64

from django.test import Client, override_settings

from sauti.api.actions import do_create_token
from sauti.people.models import LoginFailure, OdkPassword
from tests.conftest import PASSWORD, World


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def odk(username: str, password: str, ip: str = "10.0.0.1", **headers: str) -> int:
    return Client().get("/odk/formList", headers=basic(username, password), REMOTE_ADDR=ip).status_code


def web(username: str, password: str, ip: str = "10.0.0.1", forwarded: str | None = None) -> int:
    data = {"username": username, "password": password}
    meta = {"REMOTE_ADDR": ip} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    return Client().post("/accounts/login/", data, **meta).status_code  # type: ignore[arg-type]


def admin_login(username: str, password: str, ip: str = "10.0.0.1") -> bool:
    client = Client()
    data = {"username": username, "password": password, "next": "/admin/"}
    client.post("/admin/login/", data, REMOTE_ADDR=ip)
    return client.get("/admin/", REMOTE_ADDR=ip).status_code == 200


def test_the_admin_log_in_is_locked_too(world: World) -> None:
    for _i in range(5):
        assert not admin_login("alice", "wrong")
    assert not admin_login("alice", PASSWORD)  # locked: the right password does not open it
    assert admin_login("alice", PASSWORD, ip="10.0.0.2")


def test_odk_basic_guessing_is_locked_and_shares_the_count_with_the_web(world: World) -> None:
    assert odk("otieno", PASSWORD) == 200
    for _i in range(3):
        assert odk("otieno", "wrong") == 401
    for _i in range(2):
        assert web("otieno", "wrong") == 200
    assert odk("otieno", PASSWORD) == 401  # five failures over two doors: locked on both
    assert web("otieno", PASSWORD) == 429
    assert odk("otieno", PASSWORD, ip="10.0.0.7") == 200


def test_api_token_guessing_is_locked_by_address(world: World) -> None:
    token = do_create_token(world.kamau).key
    statuses = [
        Client()
        .get("/api/reports/", headers={"Authorization": f"Token {i:040x}"}, REMOTE_ADDR="10.0.0.3")
        .status_code
        for i in range(6)
    ]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    good = {"Authorization": f"Token {token}"}
    assert Client().get("/api/reports/", headers=good, REMOTE_ADDR="10.0.0.3").status_code == 429
    assert Client().get("/api/reports/", headers=good, REMOTE_ADDR="10.0.0.4").status_code == 200


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(world: World) -> None:
    # No trusted proxy: X-Forwarded-For is the caller's own claim and changes nothing.
    for i in range(5):
        web("kamau", "wrong", ip="10.0.0.5", forwarded=f"41.0.0.{i}")
    assert web("kamau", PASSWORD, ip="10.0.0.5", forwarded="41.0.0.99") == 429
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"10.0.0.5"}


@override_settings(SAUTI_TRUSTED_PROXIES=["10.9.0.0/16"])
def test_behind_a_trusted_proxy_the_forwarded_client_address_is_the_key(world: World) -> None:
    proxy = "10.9.0.1"
    for _i in range(5):
        # A spoofed first address is ignored: the proxy appends the address it saw, which is what counts.
        web("kamau", "wrong", ip=proxy, forwarded="1.2.3.4, 41.0.0.1")
    assert web("kamau", PASSWORD, ip=proxy, forwarded="41.0.0.1") == 429
    # The attacker behind the same proxy does not lock the real user out.
    assert web("kamau", PASSWORD, ip=proxy, forwarded="41.0.0.2") == 302
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"41.0.0.1"}


@override_settings(SAUTI_REQUIRE_2FA=True)
def test_second_factor_roles_use_per_device_odk_passwords(world: World) -> None:
    assert odk("wanjiku", PASSWORD) == 401  # a coordinator's password alone is not enough over Basic
    assert odk("alice", PASSWORD) == 401  # nor a superuser's
    assert odk("otieno", PASSWORD) == 200  # a field monitor needs no second factor
    client = Client()
    client.force_login(world.wanjiku)
    session = client.session
    session["sauti_2fa_verified"] = True
    session.save()
    page = client.get("/accounts/odk-passwords/")
    assert page.status_code == 200
    created = client.post("/accounts/odk-passwords/", {"name": "Tecno phone"})
    assert created.status_code == 200
    body = created.content.decode()
    secret = body.split('<code class="secret">')[1].split("</code>")[0]
    assert len(secret) >= 20
    device = OdkPassword.objects.get(user=world.wanjiku)
    assert secret not in device.password_hash and device.password_hash.startswith("md5$")
    assert odk("wanjiku", secret) == 200
    assert odk("wanjiku", secret.upper()) == 401
    # Revoked from the page: the phone is out.
    assert client.post(f"/accounts/odk-passwords/{device.pk}/revoke/").status_code == 302
    assert odk("wanjiku", secret) == 401
    assert "Tecno phone" in client.get("/accounts/odk-passwords/").content.decode()
    # Someone else cannot revoke (or see) another user's device password.
    other = OdkPassword.objects.create(user=world.otieno, name="x", password_hash="md5$x$y")
    assert client.post(f"/accounts/odk-passwords/{other.pk}/revoke/").status_code == 404
    # The web log-in does not accept a device password.
    assert web("wanjiku", secret) == 200


def test_an_empty_name_is_a_clear_error(world: World) -> None:
    client = world.client_for(world.otieno)
    response = client.post("/accounts/odk-passwords/", {"name": ""})
    assert response.status_code == 400 and OdkPassword.objects.count() == 0
