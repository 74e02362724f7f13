"""`sauti channels add|list`: prints callback URLs as JSON; clear errors for bad input."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest

from django.core.management import CommandError, call_command

from sauti.messaging.models import Channel
from tests.conftest import World


def run(*args: str) -> Any:
    out = StringIO()
    call_command("channels", *args, stdout=out)
    return json.loads(out.getvalue())


def test_add_africastalking_prints_absolute_callback_urls(world: World, settings: Any) -> None:
    settings.SAUTI_PUBLIC_URL = "https://sauti.example.org/"
    got = run(
        "add",
        "africastalking",
        "--name",
        "Main",
        "--organisation",
        "umoja",
        "--username",
        "umoja",
        "--api-key",
        "k3y",
        "--shortcode",
        "21512",
        "--ussd-code",
        "*384*1234#",
    )
    channel = Channel.objects.get()
    root = f"https://sauti.example.org/messaging/hooks/at/{channel.token}"
    assert got["incoming"] == f"{root}/incoming/"
    assert got["delivery"] == f"{root}/delivery/"
    assert got["ussd"] == f"{root}/ussd/"
    assert got["optout"] == f"{root}/optout/"
    assert got["callbacks"]["incoming"] == got["incoming"] and got["organisation"] == "umoja"
    assert channel.credentials == {"api_key": "k3y", "username": "umoja"} and channel.address == "21512"


def test_add_twilio_and_dev(world: World) -> None:
    twilio = run(
        "add",
        "twilio",
        "--name",
        "T",
        "--organisation",
        "umoja",
        "--account-sid",
        "AC1",
        "--auth-token",
        "t",
        "--shortcode",
        "+15005550006",
    )
    assert set(twilio) >= {"incoming", "delivery"} and "ussd" not in twilio
    dev = run("add", "dev", "--name", "Sim", "--organisation", "umoja")
    assert set(dev) >= {"incoming", "ussd"}
    assert [c["name"] for c in run("list")] == ["Sim", "T"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "africastalking", "--name", "X", "--organisation", "umoja"], "--api-key"),
        (["add", "twilio", "--name", "X", "--organisation", "umoja", "--account-sid", "A"], "--auth-token"),
        (["add", "dev", "--name", "X", "--organisation", "nope"], "nope"),
        (["add", "dev", "--name", "X"], "--organisation"),
        (["add", "dev", "--name", "X", "--organisation", "umoja", "--price", "lots"], "--price"),
        (["add", "dev", "--name", "X", "--organisation", "umoja", "--price", "-1"], "--price"),
        (["add", "dev", "--name", "X", "--organisation", "umoja", "--base-url", "ftp://x"], "--base-url"),
    ],
)
def test_bad_input_is_a_command_error(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Channel.objects.exists()


def test_a_duplicate_name_is_a_command_error(world: World) -> None:
    run("add", "dev", "--name", "Sim", "--organisation", "umoja")
    with pytest.raises(CommandError, match="already has"):
        run("add", "dev", "--name", "Sim", "--organisation", "umoja")


def test_sweep_processes_stranded_messages_and_sends_due_ones(world: World) -> None:
    from datetime import timedelta

    import time_machine

    from django.utils import timezone

    from sauti.messaging import actions
    from sauti.messaging.models import InboundMessage
    from sauti.monitoring.actions import do_seed_taxonomy

    do_seed_taxonomy(world.umoja)
    run("add", "dev", "--name", "Sim", "--organisation", "umoja")
    channel = Channel.objects.get()
    # Stored, but its processing task was lost (the on-commit enqueue never ran here).
    message, created = actions.do_receive_sms(
        channel,
        provider_id="lost",
        phone="+254711000001",
        text="Maji yamekatwa Mathare 4A",
        received_at=timezone.now(),
    )
    assert created
    assert run("sweep") == {"inbound_processed": 0, "outbound_sent": 0}  # too recent: a worker may have it
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert run("sweep") == {"inbound_processed": 1, "outbound_sent": 1}
    message.refresh_from_db()
    assert message.status == "processed"
    assert InboundMessage.objects.count() == 1
