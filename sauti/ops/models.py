"""What the running processes tell each other: the workers' heartbeats (read by /healthz)."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running `sauti worker` (host:pid), touched every HEARTBEAT seconds; removed when the
    worker stops cleanly. A row not touched for long belongs to a worker that died."""

    worker = models.CharField(max_length=120, unique=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker
