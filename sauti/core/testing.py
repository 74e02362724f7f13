"""pytest plugin loaded with `-p sauti.core.testing` (see pyproject): runs before Django is set up."""

from __future__ import annotations

import os
import tempfile

os.environ["SAUTI_ENV"] = "test"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sauti.settings")
# Tests never touch the developer's ./var (keys, database, uploads).
os.environ.setdefault("SAUTI_VAR_DIR", tempfile.mkdtemp(prefix="sauti-test-var-"))
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789-abcdefghij")
os.environ.setdefault("SAUTI_IDENTITY_KEYS", "test-identity-key")
os.environ.setdefault("SAUTI_LOOKUP_KEY", "test-lookup-key")
# Admins and coordinators must use two factors; the suite logs personas in with force_login, so the
# dedicated tests (tests/people/test_security.py) turn it back on.
os.environ.setdefault("SAUTI_REQUIRE_2FA", "false")
