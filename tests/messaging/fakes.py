"""Loopback fakes of the providers' send APIs: real HTTP on 127.0.0.1, the providers' request and
response formats, scripted answers, every request recorded."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]  # names in lower case (HTTP header names are case-insensitive)
    form: dict[str, list[str]]


@dataclass
class Answer:
    status: int
    body: str
    content_type: str = "application/json"


@dataclass
class FakeProvider:
    """`answers` are served in order (the last one repeats); `requests` records what arrived."""

    answers: list[Answer] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def answer(self, status: int, body: object, content_type: str = "application/json") -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        self.answers.append(Answer(status, text, content_type))


def at_success(*numbers: str) -> dict[str, object]:
    """Africa's Talking's answer when every recipient is queued (a real sandbox recording's shape)."""
    return {
        "SMSMessageData": {
            "Message": f"Sent to {len(numbers)}/{len(numbers)} Total Cost: KES 0.8000 Message parts: 1",
            "Recipients": [
                {
                    "cost": "KES 0.8000",
                    "messageId": f"ATXid_{i:04d}",
                    "number": n,
                    "status": "Success",
                    "statusCode": 102,
                }
                for i, n in enumerate(numbers)
            ],
        }
    }


def serve(fake: FakeProvider) -> Iterator[FakeProvider]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            fake.requests.append(
                Recorded(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    parse_qs(body, keep_blank_values=True),
                )
            )
            answer = fake.answers[min(len(fake.requests), len(fake.answers)) - 1]
            data = answer.body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
