"""Issue 14, the smaller breaks: a DTD smuggled in UTF-16, long provider ids colliding, webhook tokens in the
access log, a world-readable SQLite file."""

from __future__ import annotations

import io
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from django.utils import timezone, translation

from sauti.core.logs import RedactWebhookTokens
from sauti.messaging import actions as messaging
from sauti.messaging.models import Channel, InboundMessage, OutboundMessage, provider_key
from sauti.monitoring.openrosa.submission import SubmissionError, parse_submission
from tests.conftest import World
from tests.messaging.fakes import FakeProvider

ROOT = Path(__file__).resolve().parents[2]
ENTITY_DOC = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY who "Achieng Kibet 0799000516">]>'
    "<report id='sauti-umoja'><description>&who;</description><meta><instanceID>uuid:1</instanceID></meta>"
    "</report>"
)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8"])
def test_a_dtd_is_refused_in_any_encoding(encoding: str) -> None:
    data = ENTITY_DOC.replace("UTF-16", encoding.upper()).encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = "\ufeff".encode(encoding) + data
    with translation.override("en"), pytest.raises(SubmissionError, match="not valid XML"):
        parse_submission(data)


def test_a_plain_utf16_submission_still_parses() -> None:
    doc = ENTITY_DOC.replace('<!DOCTYPE r [<!ENTITY who "Achieng Kibet 0799000516">]>', "").replace(
        "&who;", "Maji"
    )
    sub = parse_submission(doc.encode("utf-16"))
    assert sub.fields["description"] == "Maji" and sub.instance_id == "uuid:1"


def test_two_long_provider_ids_sharing_a_prefix_are_two_messages(world: World, at_channel: Channel) -> None:
    prefix = "x" * 130
    first, created_1 = messaging.do_receive_sms(
        at_channel, provider_id=prefix + "-1", phone="+254711000001", text="one", received_at=timezone.now()
    )
    second, created_2 = messaging.do_receive_sms(
        at_channel, provider_id=prefix + "-2", phone="+254711000001", text="two", received_at=timezone.now()
    )
    assert created_1 and created_2 and first.pk != second.pk
    again, created_3 = messaging.do_receive_sms(
        at_channel, provider_id=prefix + "-2", phone="+254711000001", text="two", received_at=timezone.now()
    )
    assert not created_3 and again.pk == second.pk  # a retry is still recognised
    assert InboundMessage.objects.count() == 2
    short = "ATXid_short"
    assert provider_key(short) == short and len(provider_key(prefix)) <= 120


def test_a_delivery_report_finds_a_message_with_a_long_provider_id(
    world: World, at_channel: Channel, fake_provider: FakeProvider
) -> None:
    long_id = "ATXid_" + "9" * 200
    fake_provider.answer(
        201,
        {"SMSMessageData": {"Message": "Sent", "Recipients": [
            {"cost": "KES 0.8", "messageId": long_id, "number": "+254711000001", "status": "Success", "statusCode": 102}
        ]}},
    )  # fmt: skip
    message = messaging.do_queue_sms(world.umoja, to_phone="+254711000001", text="Hi", channel=at_channel)
    assert message is not None and messaging.do_send(message.pk) is not None
    messaging.do_delivery_report(
        at_channel, provider_id=long_id, provider_status="Success", status="delivered"
    )
    assert OutboundMessage.objects.get(pk=message.pk).status == "delivered"


def test_webhook_tokens_do_not_reach_the_logs(
    world: World, at_channel: Channel, post: Callable[..., Any]
) -> None:
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, RedactWebhookTokens) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        # The development server's access line, and Django's warning for a 4xx (the request path in both).
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"POST /messaging/hooks/at/{at_channel.token}/incoming/ HTTP/1.1", 200, 12
        )
        post(f"/messaging/hooks/at/{at_channel.token}/incoming/", {"from": "x"})  # a 400, logged
        post(f"/messaging/hooks/twilio/{at_channel.token}/incoming/", {})  # a 404 (wrong provider)
    finally:
        handler.setStream(old)  # type: ignore[attr-defined]
    text = stream.getvalue()
    assert "/messaging/hooks/at/" in text and at_channel.token not in text


def test_the_sqlite_file_is_created_private(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "SAUTI_VAR_DIR": str(tmp_path / "var"),
           "SAUTI_ENV": "development"}  # fmt: skip
    code = "from django.db import connection; connection.ensure_connection(); print(connection.settings_dict['NAME'])"
    done = subprocess.run(
        [sys.executable, "-m", "sauti", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    database = Path(done.stdout.strip().splitlines()[-1])
    assert database.exists()
    files = [p for p in (tmp_path / "var").iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"sauti.sqlite3", "identity_keys", "lookup_key", "secret_key"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) & 0o077 == 0
