"""/healthz, `sauti messaging status --json`, structured logs (issue 13)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
import time_machine

from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from sauti.core import logs
from sauti.messaging import actions
from sauti.messaging.models import Channel, ChannelKind, InboundMessage
from sauti.ops import heartbeat
from sauti.ops.models import WorkerHeartbeat
from tests.conftest import World


@pytest.fixture
def channel(world: World) -> Channel:
    return Channel.objects.create(organisation=world.umoja, kind=ChannelKind.DEV, name="Dev", address="SIM")


def store(channel: Channel, provider_id: str) -> InboundMessage:
    message, _created = actions.do_receive_sms(
        channel, provider_id=provider_id, phone="+254711000001", text="Habari", received_at=timezone.now()
    )
    return message


@pytest.mark.django_db
def test_healthz_is_503_without_a_worker_then_200_with_one() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False and body["database"] is True and body["migrations_unapplied"] == 0
    assert body["worker_heartbeat_seconds"] is None and "no worker heartbeat" in body["problems"]
    heartbeat.beat("host:1")
    response = Client().get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    # A second or two may pass between the beat and the probe on a loaded machine.
    assert body["ok"] is True and body["problems"] == [] and 0 <= body["worker_heartbeat_seconds"] <= 5
    assert body["inbound_backlog"] == 0 and body["outbox_backlog"] == 0
    assert body["oldest_unprocessed_seconds"] is None
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_reports_a_silent_worker_and_an_old_backlog(world: World, channel: Channel) -> None:
    heartbeat.beat("host:1")
    store(channel, "a")
    store(channel, "b")
    start = timezone.now()
    with time_machine.travel(start + timedelta(seconds=700)):
        heartbeat.beat("host:1")
        body = Client().get("/healthz").json()
    assert body["ok"] is False and body["inbound_backlog"] == 2
    assert body["oldest_unprocessed_seconds"] >= 700
    assert any("waited" in p for p in body["problems"])
    with time_machine.travel(start + timedelta(seconds=900)):
        body = Client().get("/healthz").json()
    assert any("worker silent" in p for p in body["problems"])


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down() -> None:
    with mock.patch("sauti.ops.health.connection.cursor", side_effect=OperationalError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] is False and "database unreachable" in response.json()["problems"][0]


@pytest.mark.django_db
def test_heartbeats_are_removed_when_a_worker_stops() -> None:
    heartbeat.beat("host:2")
    heartbeat.beat("host:2")
    assert WorkerHeartbeat.objects.count() == 1
    heartbeat.forget("host:2")
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_messaging_status_json_is_the_contract(world: World, channel: Channel) -> None:
    store(channel, "a")
    processed = store(channel, "b")
    InboundMessage.objects.filter(pk=processed.pk).update(status="processed")
    out = StringIO()
    with time_machine.travel(timezone.now() + timedelta(seconds=42)):
        call_command("messaging", "status", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"inbound", "outbound", "oldest_unprocessed_seconds"}
    assert data["inbound"] == {"received": 1, "processing": 0, "processed": 1, "quarantined": 0, "failed": 0}
    assert data["outbound"] == dict.fromkeys(
        ["queued", "sending", "sent", "delivered", "failed", "undeliverable"], 0
    )
    assert 42 <= data["oldest_unprocessed_seconds"] <= 44


@pytest.mark.django_db
def test_messaging_status_with_nothing_waiting() -> None:
    out = StringIO()
    call_command("messaging", "status", "--json", stdout=out)
    assert json.loads(out.getvalue())["oldest_unprocessed_seconds"] is None
    call_command("messaging", "status", stdout=out)
    assert "none waiting" in out.getvalue()


def test_a_request_and_a_task_each_give_one_json_line_with_timing(settings: Any) -> None:
    settings.SAUTI_STRUCTURED_LOGS = True
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:

        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            start_response("201 Created", [])
            return [b"ok"]

        wrapped = logs.RequestLog(app)
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/messaging/hooks/at/SECRETTOKEN/incoming/"}
        assert wrapped(environ, lambda *a: None) == [b"ok"]
        with logs.timed("messaging.process_inbound", message_id=7):
            pass
    finally:
        root.removeHandler(handler)
    request, task = (json.loads(line) for line in stream.getvalue().splitlines())
    assert request["event"] == "request" and request["method"] == "POST" and request["status"] == 201
    assert request["path"] == "/messaging/hooks/at/…/incoming/" and "SECRETTOKEN" not in stream.getvalue()
    assert isinstance(request["duration_ms"], float) and request["time"].endswith("+00:00")
    assert task["event"] == "task" and task["task"] == "messaging.process_inbound"
    assert task["message_id"] == 7 and task["outcome"] == "ok" and task["duration_ms"] >= 0


def test_structured_logs_are_on_by_default_only_in_production(settings: Any) -> None:
    assert settings.SAUTI_STRUCTURED_LOGS is False  # tests run as SAUTI_ENV=test
