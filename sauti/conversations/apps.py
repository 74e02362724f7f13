from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "sauti.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from sauti.conversations import reading
        from sauti.messaging.readers import register_reader

        # `sauti messaging parse` shows what this app reads in an SMS; messaging, below, never imports it.
        register_reader(reading.analyse, reading.MAX_TEXT_LENGTH)
