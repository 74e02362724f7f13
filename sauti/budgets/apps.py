from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "sauti.budgets"
    label = "budgets"
    verbose_name = _("Budgets and projects")

    def ready(self) -> None:
        from sauti.audit import audit
        from sauti.budgets import chain, models, sms
        from sauti.conversations.actions import register_keyword_handler
        from sauti.dialogues.charts import CHAIN_EXTENSIONS

        # Site visits are audited like any report (each is also a monitoring Report, audited there); so are
        # the documents imported (with the file's SHA-256), the corrections and the proposals' fate.
        for model in (models.Observation, models.Correction, models.BudgetDocument, models.Proposal):
            audit.register(model)
        register_keyword_handler(sms.handle_keyword)
        if chain.proposal_steps not in CHAIN_EXTENSIONS:
            CHAIN_EXTENSIONS.append(chain.proposal_steps)
