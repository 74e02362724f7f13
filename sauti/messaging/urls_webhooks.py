"""Provider callbacks, mounted at /messaging/hooks/ (no login: the channel token in the path is the secret)."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path, reverse

from sauti.messaging.models import Channel, ChannelKind

urlpatterns = [
    path("at/", include("sauti.messaging.providers.africastalking.urls")),
    path("twilio/", include("sauti.messaging.providers.twilio.urls")),
    path("dev/", include("sauti.messaging.providers.dev.urls")),
]

_NAMES = {
    ChannelKind.AFRICASTALKING: {
        "incoming": "at_incoming",
        "delivery": "at_delivery",
        "ussd": "at_ussd",
        "optout": "at_optout",
    },
    ChannelKind.TWILIO: {"incoming": "twilio_incoming", "delivery": "twilio_status"},
    ChannelKind.DEV: {"incoming": "dev_incoming", "ussd": "dev_ussd"},
}


def callback_paths(channel: Channel) -> dict[str, str]:
    return {
        key: reverse(name, args=[channel.token]) for key, name in _NAMES[ChannelKind(channel.kind)].items()
    }


def callback_urls(channel: Channel) -> dict[str, str]:
    """Absolute callback URLs to paste into the provider's dashboard (SAUTI_PUBLIC_URL + path)."""
    base = settings.SAUTI_PUBLIC_URL.rstrip("/")
    return {key: base + p for key, p in callback_paths(channel).items()}
