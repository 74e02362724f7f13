from __future__ import annotations

import io
import json
import sys
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.monitoring.models import Report
from tests.conftest import World


def submit(world: World, text: str, **extra: Any) -> Report:
    fields: dict[str, Any] = {
        "description": text,
        "channel": "web",
        "occurred_on": timezone.localdate(),
        "place_text": "Kwa Reuben",
        "category_keys": ["water"],
        **extra,
    }
    return do_submit_report(world.umoja, ReportInput(**fields))


def run(*args: str) -> tuple[int, str, str]:
    """A management command's (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old_err = sys.stderr
    sys.stderr = err
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stderr = old_err
    return code, out.getvalue(), err.getvalue()


def verify_json() -> tuple[int, dict[str, Any]]:
    code, out, _err = run("verify", "--json")
    return code, json.loads(out)
