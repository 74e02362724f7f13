from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "sauti.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from sauti.core import periodic
        from sauti.messaging import subjects
        from sauti.messaging.actions import do_sweep
        from sauti.people.erasure import register_eraser

        register_eraser(subjects.erase_identity)
        # Stranded inbound messages and due outbox retries.
        periodic.register(
            "messaging.sweep", lambda: sum(do_sweep()), every="minute", counts="messages processed or sent"
        )
