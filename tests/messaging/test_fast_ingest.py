"""The inbound fast lane (sauti/messaging/fastlane.py) in front of Django: it stores what the view would
store, and hands everything else to Django untouched."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import pytest

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from sauti.messaging.fastlane import InboundFastLane
from sauti.messaging.models import Channel, InboundMessage, InboundStatus
from sauti.wsgi import application
from tests.conftest import World
from tests.messaging.test_at_incoming import form, url

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def environ(path: str, body: bytes, **extra: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "SERVER_PROTOCOL": "HTTP/1.1",
        **extra,
    }


class Django:
    """Stands for the Django application behind the lane: records what reached it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.bodies.append(env["wsgi.input"].read(int(env["CONTENT_LENGTH"])))
        start_response("418 I'm a teapot", [])
        return [b"django"]


def call(app: Any, env: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    # As Django's test client does: the test's transaction must survive the request signals.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = app(env, start_response)
        body = b"".join(result)
        getattr(result, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return seen["status"], seen["headers"], body


def test_the_lane_stores_the_message_once_and_answers_without_django(
    world: World, at_channel: Channel, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from sauti.messaging.actions import waiting_inbound

    settings.TASKS = DB_TASKS
    django = Django()
    lane = InboundFastLane(django)
    body = urlencode(form(id="lane-1")).encode()
    for _attempt in range(3):  # the provider retries: still one message
        status, headers, content = call(lane, environ(url(at_channel), body))
        assert (status, content) == ("200 OK", b"OK") and headers["Content-Type"] == "text/plain"
    assert django.bodies == []
    message = InboundMessage.objects.get()
    assert message.phone == "+254791541111" and message.status == InboundStatus.RECEIVED
    assert message.provider_id == "lane-1" and message.text.startswith("Maji yamekatwa")
    assert "+254791541111" not in message.phone_ciphertext and message.phone_hash
    # With the database backend the stored message is the queue entry: no task row.
    assert waiting_inbound(10) == [message.pk] and not DBTaskResult.objects.exists()


def test_the_lane_and_the_view_store_the_same_row(world: World, at_channel: Channel, settings: Any) -> None:
    settings.TASKS = DB_TASKS
    data = form(id="same", date="2026-11-25 06:04:45.250", text="Nyumba 30 zimebomolewa ✊")
    assert Client().post(url(at_channel), data).status_code == 200
    by_view = InboundMessage.objects.get()
    by_view.delete()
    call(InboundFastLane(Django()), environ(url(at_channel), urlencode(data).encode()))
    by_lane = InboundMessage.objects.get()
    for field in InboundMessage._meta.concrete_fields:
        if field.name not in {"id", "created_at", "received_at", "phone_ciphertext"}:
            assert getattr(by_lane, field.attname) == getattr(by_view, field.attname), field.name
    assert by_lane.phone == by_view.phone


@pytest.mark.parametrize(
    ("change", "extra"),
    [
        ({"id": ""}, {}),
        ({"from": "not a phone"}, {}),
        ({"date": "yesterday"}, {}),
        ({"to": "99999"}, {}),
        ({}, {"HTTP_HOST": "evil.example"}),
        ({}, {"CONTENT_TYPE": "multipart/form-data; boundary=x"}),
        ({}, {"PATH_INFO": "/messaging/hooks/at/no-such-channel/incoming/"}),
    ],
)
def test_anything_the_lane_does_not_fully_accept_reaches_django_untouched(
    world: World, at_channel: Channel, change: dict[str, str], extra: dict[str, str]
) -> None:
    django = Django()
    body = urlencode(form(**change)).encode()
    status, _headers, content = call(InboundFastLane(django), environ(url(at_channel), body, **extra))
    assert (status, content) == ("418 I'm a teapot", b"django") and django.bodies == [body]
    assert not InboundMessage.objects.exists()


def test_through_the_served_application_malformed_callbacks_get_the_views_answer(
    world: World, at_channel: Channel
) -> None:
    missing = form()
    del missing["text"]
    status, _headers, content = call(
        application, environ(url(at_channel), urlencode(missing).encode(), HTTP_ACCEPT_LANGUAGE="sw")
    )
    with translation.override("sw"):
        expected = _("Missing field: %(name)s.") % {"name": "text"}
    assert status.startswith("400") and content.decode() == expected != "Missing field: text."
    status, _headers, _content = call(
        application, environ("/messaging/hooks/at/nope/incoming/", urlencode(form()).encode())
    )
    assert status.startswith("404")
    status, _headers, content = call(application, environ(url(at_channel), urlencode(form(id="ok")).encode()))
    assert (status, content) == ("200 OK", b"OK") and InboundMessage.objects.get().provider_id == "ok"


def test_a_database_error_leaves_the_answer_to_the_view(
    world: World, at_channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from sauti.messaging import fastlane

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(fastlane, "do_receive_sms", locked)
    django = Django()
    status, _headers, _content = call(
        InboundFastLane(django), environ(url(at_channel), urlencode(form()).encode())
    )
    assert status.startswith("418") and len(django.bodies) == 1


def test_with_https_required_plain_http_goes_to_django(
    world: World, at_channel: Channel, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    body = urlencode(form(id="tls")).encode()
    django = Django()
    assert call(InboundFastLane(django), environ(url(at_channel), body))[0].startswith("418")
    secure = environ(url(at_channel), body, HTTP_X_FORWARDED_PROTO="https")
    assert call(InboundFastLane(django), secure)[0] == "200 OK" and len(django.bodies) == 1


def test_on_postgresql_the_lane_prepares_its_insert_once_and_errors_stay_djangos(
    world: World, at_channel: Channel, settings: Any
) -> None:
    from django.db import DatabaseError, connection
    from django.test.utils import CaptureQueriesContext

    from sauti.core.db import insert_new

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    settings.TASKS = DB_TASKS
    lane = InboundFastLane(Django())
    for n in range(3):
        for _attempt in range(2):
            status, _headers, _content = call(
                lane, environ(url(at_channel), urlencode(form(id=f"p-{n}")).encode())
            )
            assert status == "200 OK"
    assert sorted(InboundMessage.objects.values_list("provider_id", flat=True)) == ["p-0", "p-1", "p-2"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['INSERT INTO "messaging_inboundmessage"%'],
        )
        assert cursor.fetchone() == (1,)
    # While queries are logged (DEBUG, tests) the INSERT goes through Django's own cursor, SQL text and all.
    with CaptureQueriesContext(connection) as queries:
        call(lane, environ(url(at_channel), urlencode(form(id="p-3")).encode()))
    assert [q["sql"][:40] for q in queries] == ['INSERT INTO "messaging_inboundmessage" (']
    assert "p-3" in queries[0]["sql"]
    # A failure in the prepared statement is Django's exception, as the lane and the view expect.
    bad = InboundMessage(
        channel=at_channel, organisation_id=at_channel.organisation_id, provider_id="x" * 500
    )
    bad.phone = "+254791541111"
    with pytest.raises(DatabaseError):
        insert_new(bad)
