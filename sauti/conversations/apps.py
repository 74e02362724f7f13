from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "sauti.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from sauti.conversations import subjects
        from sauti.conversations.actions import do_expire_conversations
        from sauti.core import periodic
        from sauti.people.erasure import register_eraser

        register_eraser(subjects.erase_identity)
        periodic.register(
            "conversations.expire",
            do_expire_conversations,
            every="minute",
            counts="silent SMS drafts submitted",
        )
