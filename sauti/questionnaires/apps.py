from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnairesConfig(AppConfig):
    name = "sauti.questionnaires"
    label = "questionnaires"
    verbose_name = _("Questionnaires")

    def ready(self) -> None:
        from sauti.monitoring.openrosa import registry
        from sauti.questionnaires import odk

        registry.register(odk.SOURCE)
