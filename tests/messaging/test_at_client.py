"""The Africa's Talking send client against a loopback fake speaking AT's format."""

from __future__ import annotations

import pytest

from sauti.messaging.providers import TransportError
from sauti.messaging.providers.africastalking.client import AfricasTalkingClient
from tests.messaging.fakes import FakeProvider, at_success


def client(fake: FakeProvider, sender: str = "MYORG") -> AfricasTalkingClient:
    return AfricasTalkingClient(username="myorg", api_key="k", sender=sender, base_url=fake.url)


def test_it_sends_the_documented_form(fake_provider: FakeProvider) -> None:
    fake_provider.answer(201, at_success("+254711000001"))
    result = client(fake_provider).send("+254711000001", "Mkutano kesho saa tatu")
    assert result.provider_id == "ATXid_0000" and result.status == "sent"
    request = fake_provider.requests[0]
    assert request.form == {
        "username": ["myorg"],
        "to": ["+254711000001"],
        "message": ["Mkutano kesho saa tatu"],
        "bulkSMSMode": ["1"],
        "from": ["MYORG"],
    }
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


def test_bulk_send_is_one_request_and_judged_number_by_number(fake_provider: FakeProvider) -> None:
    answer = at_success("+254711000001", "+254733000002")
    recipients = answer["SMSMessageData"]["Recipients"]  # type: ignore[index]
    recipients[1].update(status="InvalidPhoneNumber", statusCode=403)
    fake_provider.answer(201, answer)
    results = client(fake_provider).send_bulk(["+254711000001", "+254733000002", "+254722000003"], "Hi")
    assert len(fake_provider.requests) == 1
    assert fake_provider.requests[0].form["to"] == ["+254711000001,+254733000002,+254722000003"]
    assert fake_provider.requests[0].form["enqueue"] == ["1"]
    assert results["+254711000001"].provider_id == "ATXid_0000"  # type: ignore[union-attr]
    bad = results["+254733000002"]
    assert isinstance(bad, TransportError) and bad.permanent and "403" in str(bad)
    missing = results["+254722000003"]
    assert isinstance(missing, TransportError) and missing.permanent


def test_an_invalid_sender_id_comes_back_as_201_and_is_a_permanent_failure(
    fake_provider: FakeProvider,
) -> None:
    fake_provider.answer(201, {"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}})
    with pytest.raises(TransportError) as e:
        client(fake_provider).send("+254711000001", "Hi")
    assert e.value.permanent and "InvalidSenderId" in str(e.value)


def test_a_bad_key_is_permanent(fake_provider: FakeProvider) -> None:
    fake_provider.answer(401, "The supplied authentication is invalid", "text/plain")
    with pytest.raises(TransportError) as e:
        client(fake_provider).send("+254711000001", "Hi")
    assert e.value.permanent and "401" in str(e.value)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_and_server_errors_are_retryable(fake_provider: FakeProvider, status: int) -> None:
    fake_provider.answer(status, "busy", "text/plain")
    with pytest.raises(TransportError) as e:
        client(fake_provider).send("+254711000001", "Hi")
    assert not e.value.permanent


def test_a_gateway_error_for_one_recipient_is_retryable_and_a_blacklisted_one_an_opt_out(
    fake_provider: FakeProvider,
) -> None:
    answer = at_success("+254711000001", "+254733000002")
    recipients = answer["SMSMessageData"]["Recipients"]  # type: ignore[index]
    recipients[0].update(status="GatewayError", statusCode=501)
    recipients[1].update(status="UserInBlacklist", statusCode=406)
    fake_provider.answer(201, answer)
    results = client(fake_provider).send_bulk(["+254711000001", "+254733000002"], "Hi")
    gateway, blacklisted = results["+254711000001"], results["+254733000002"]
    assert isinstance(gateway, TransportError) and not gateway.permanent
    assert isinstance(blacklisted, TransportError) and blacklisted.permanent and blacklisted.opted_out


def test_an_unreachable_server_is_retryable() -> None:
    dead = AfricasTalkingClient(username="u", api_key="k", base_url="http://127.0.0.1:9")
    with pytest.raises(TransportError) as e:
        dead.send("+254711000001", "Hi")
    assert not e.value.permanent


def test_an_unreadable_answer_is_retryable(fake_provider: FakeProvider) -> None:
    fake_provider.answer(201, "<html>proxy error</html>", "text/html")
    with pytest.raises(TransportError) as e:
        client(fake_provider).send("+254711000001", "Hi")
    assert not e.value.permanent


def test_the_sandbox_username_uses_the_sandbox_url() -> None:
    assert AfricasTalkingClient(username="sandbox", api_key="k")._url().startswith("https://api.sandbox.")
    assert (
        AfricasTalkingClient(username="myorg", api_key="k")._url()
        == "https://api.africastalking.com/version1/messaging"
    )
