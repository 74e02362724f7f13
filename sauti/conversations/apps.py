from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "sauti.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from sauti.conversations import reading, subjects
        from sauti.conversations.actions import do_expire_conversations
        from sauti.core import periodic
        from sauti.messaging.readers import register_reader
        from sauti.people.erasure import register_eraser

        register_eraser(subjects.erase_identity)
        periodic.register(
            "conversations.expire",
            do_expire_conversations,
            every="minute",
            counts="silent SMS drafts submitted",
        )
        # `sauti messaging parse` shows what this app reads in an SMS; messaging, below, never imports it.
        register_reader(reading.analyse, reading.MAX_TEXT_LENGTH)
        # The public report form pre-fills its category with what the description reads as.
        from sauti.monitoring.taxonomy import register_category_reader

        register_category_reader(reading.suggest_category)
        # Issue 15: verification questions and "Is it fixed?" answered by USSD.
        from sauti.conversations.ussd import register_menu_item
        from sauti.conversations.ussd_answers import AnswerItem

        register_menu_item(AnswerItem())
