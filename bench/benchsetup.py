"""Django set-up shared by the benchmarks: a throwaway var dir and fixed, non-production keys."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(*, migrate: bool = False) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["SAUTI_VAR_DIR"] = tempfile.mkdtemp(prefix="sauti-bench-")
    os.environ.setdefault("SAUTI_ENV", "test")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789-abcdefghijkl")
    os.environ.setdefault("SAUTI_IDENTITY_KEYS", "bench-identity-key")
    os.environ.setdefault("SAUTI_LOOKUP_KEY", "bench-lookup-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sauti.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
