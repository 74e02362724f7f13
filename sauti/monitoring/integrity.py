"""`sauti verify --files` for monitoring: each attachment's stored file still has the SHA-256 recorded at
upload (registered with audit.verify in MonitoringConfig.ready)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from sauti.audit.verify import Problem
from sauti.monitoring.models import Attachment


def attachment_files() -> Iterator[Problem]:
    for attachment in Attachment.objects.order_by("pk").iterator(500):
        digest = hashlib.sha256()
        try:
            with attachment.file.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
        except (OSError, ValueError):
            yield Problem("file", f"the file of attachment {attachment.pk} is missing", None,
                          "monitoring.attachment", str(attachment.pk))  # fmt: skip
            continue
        if digest.hexdigest() != attachment.sha256:
            yield Problem("file", f"the file of attachment {attachment.pk} differs from its SHA-256 at upload",
                          None, "monitoring.attachment", str(attachment.pk))  # fmt: skip
