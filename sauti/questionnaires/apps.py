from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnairesConfig(AppConfig):
    name = "sauti.questionnaires"
    label = "questionnaires"
    verbose_name = _("Questionnaires")

    def ready(self) -> None:
        from sauti.audit import audit
        from sauti.monitoring.openrosa import registry
        from sauti.questionnaires import models, odk

        registry.register(odk.SOURCE)
        # Answers to an organisation's own questionnaires (issue 20), and what a group concluded.
        for model in (models.Submission, models.Finding, models.Agreement):
            audit.register(model)
