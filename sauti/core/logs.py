"""Logging filters. Webhook URLs carry the channel's secret token (/messaging/hooks/<provider>/<token>/…):
every log line that names such a path (the development server's access log, Django's warnings for 4xx/5xx
answers) shows the token as `…` instead."""

from __future__ import annotations

import logging
import re

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
