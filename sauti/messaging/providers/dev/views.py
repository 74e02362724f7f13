"""The development channel's webhooks speak Africa's Talking's format, so the simulator exercises the
same parsing, storage and processing as a real provider."""

from __future__ import annotations

from sauti.messaging.models import ChannelKind
from sauti.messaging.providers.africastalking import views as at

# The AT views look the channel up by kind; the dev channel has its own kind and the same wire format.
incoming = at.make_incoming(ChannelKind.DEV)
ussd = at.make_ussd(ChannelKind.DEV)
