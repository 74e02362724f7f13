"""Public-key fingerprints, shown beside organisation keys and printed by the offline bundle check.

No Django here: `python -m sauti.evidence.bundlecheck` imports it without settings or a database."""

from __future__ import annotations

import hashlib


def fingerprint(public_key: bytes) -> str:
    digest = hashlib.sha256(public_key).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))
