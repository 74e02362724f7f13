"""Demo data for messaging: a development channel per demo organisation, so the phone simulator works."""

from __future__ import annotations

from collections.abc import Callable

from sauti.messaging.models import Channel, ChannelKind
from sauti.people.models import Organisation


def build_demo_messaging(log: Callable[[str], object] = print) -> None:
    for org in Organisation.objects.filter(is_demo=True):
        _channel, created = Channel.objects.get_or_create(
            organisation=org,
            name="Simulator (demo)",
            defaults={"kind": ChannelKind.DEV, "address": "22384", "ussd_code": "*384*22#"},
        )
        if created:
            log(f"  {org.name}: development SMS channel for the phone simulator")
