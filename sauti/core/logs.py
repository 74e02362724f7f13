"""Structured logs: with SAUTI_STRUCTURED_LOGS on (the default in production) every log record is one JSON
line, and every request and every background task adds one line with its timing.

Requests are timed at the WSGI layer (`RequestLog`, wrapped around the application in sauti/wsgi.py), so
the inbound fast lane is logged like any page; the time is until the application returned its response
(for streamed downloads, until the first part). Channel tokens in webhook paths are masked. Tasks:
django-tasks' started/finished signals, and `timed()` around the worker's own jobs (each inbound message,
the minutely and daily upkeep)."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django_tasks.signals import task_finished

from django.conf import settings

request_log = logging.getLogger("sauti.request")
task_log = logging.getLogger("sauti.task")

# /messaging/hooks/<provider>/<token>/...: the token is a secret.
_TOKEN = re.compile(r"(/messaging/hooks/[a-z]+/)[^/]+")
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def enabled() -> bool:
    return bool(getattr(settings, "SAUTI_STRUCTURED_LOGS", False))


def mask(path: str) -> str:
    return _TOKEN.sub(r"\1…", path)


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestLog:
    """WSGI middleware: one `sauti.request` line per request (method, path, status, duration_ms)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not enabled() or not request_log.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        started = time.perf_counter()
        status: list[str] = []

        def recording_start_response(code: str, headers: Any, *args: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *args)

        try:
            return self.app(environ, recording_start_response)
        finally:
            code = status[0].split(" ", 1)[0] if status else "500"
            request_log.info(
                "request",
                extra={
                    "event": "request",
                    "method": environ.get("REQUEST_METHOD", ""),
                    "path": mask(environ.get("PATH_INFO", "")),
                    "status": int(code) if code.isdigit() else 0,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


@contextmanager
def timed(task: str, **fields: Any) -> Iterator[dict[str, Any]]:
    """Log one `sauti.task` line for the work inside (with `outcome` "ok" or the exception's name);
    callers may add fields to the yielded dict."""
    if not enabled():
        yield fields
        return
    started = time.perf_counter()
    outcome = "ok"
    try:
        yield fields
    except BaseException as e:
        outcome = type(e).__name__
        raise
    finally:
        task_log.info(
            "task",
            extra={
                "event": "task",
                "task": task,
                "outcome": outcome,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                **fields,
            },
        )


def _task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if not enabled():
        return
    started, finished = getattr(task_result, "started_at", None), getattr(task_result, "finished_at", None)
    duration = (finished - started).total_seconds() * 1000 if started and finished else None
    task_log.info(
        "task",
        extra={
            "event": "task",
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "outcome": str(task_result.status),
            "duration_ms": None if duration is None else round(duration, 2),
        },
    )


def connect_task_signals() -> None:
    task_finished.connect(_task_finished, dispatch_uid="sauti-task-log")


# Webhook URLs carry the channel's secret token (/messaging/hooks/<provider>/<token>/…): every log line that
# names such a path (the development server's access log, Django's warnings for 4xx/5xx answers) shows the
# token as `…` instead (issue 14).
WEBHOOK_TOKEN = re.compile(r"(/messaging/hooks/[^/\s\"']+/)[^/\s\"'?]+")


def redact(text: str) -> str:
    return WEBHOOK_TOKEN.sub(r"\1…", text)


class RedactWebhookTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
