"""Evidence tests that receive and send SMS use the messaging fixtures (a channel and a loopback provider)."""

from tests.messaging.conftest import _fresh_channel_cache, at_channel, fake_provider, post  # noqa: F401
