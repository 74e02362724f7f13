from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "sauti.trust"
    label = "trust"
    verbose_name = _("Trust surveys")

    def ready(self) -> None:
        from sauti.conversations.actions import register_keyword_handler
        from sauti.conversations.ussd import register_menu_item
        from sauti.trust import phone

        register_keyword_handler(phone.handle_sms)  # a bare 1-5 answering a survey sent to this phone
        register_menu_item(phone.MENU_ITEM)  # "8. Trust survey" in the USSD main menu
