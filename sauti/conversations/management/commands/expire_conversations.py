"""`sauti expire-conversations`: submit SMS drafts whose senders went silent (run it every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sauti.conversations.actions import do_expire_conversations


class Command(BaseCommand):
    help = "Submit and close SMS conversations silent for longer than the timeout."

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(n: int) -> None:
            if n % 100 == 0:
                self.stdout.write(f"{n} conversations closed…")

        done = do_expire_conversations(progress=progress)
        self.stdout.write(f"{done} conversations closed.")
