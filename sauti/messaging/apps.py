from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "sauti.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from sauti.messaging import subjects
        from sauti.people.erasure import register_eraser

        register_eraser(subjects.erase_identity)
