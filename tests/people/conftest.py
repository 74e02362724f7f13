"""People tests that receive and send SMS (erasure, key rotation) use the messaging fixtures (a channel and a
loopback provider)."""

from tests.messaging.conftest import _fresh_channel_cache, at_channel, fake_provider, post  # noqa: F401
