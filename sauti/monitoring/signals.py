from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from sauti.people.models import Organisation


@receiver(post_save, sender=Organisation)
def seed_taxonomy(sender: type[Organisation], instance: Organisation, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        from sauti.monitoring.actions import do_seed_taxonomy

        do_seed_taxonomy(instance)
