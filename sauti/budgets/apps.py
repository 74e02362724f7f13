from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "sauti.budgets"
    label = "budgets"
    verbose_name = _("Budgets and projects")

    def ready(self) -> None:
        from sauti.audit import audit
        from sauti.budgets import chain, models, odk, panels, sms, ussd
        from sauti.conversations.actions import register_keyword_handler
        from sauti.conversations.ussd import register_menu_item
        from sauti.dialogues.charts import CHAIN_EXTENSIONS
        from sauti.monitoring.openrosa import registry
        from sauti.questionnaires.panels import register_conclusion_panel, register_submission_panel

        # Site visits are audited like any report (each is also a monitoring Report, audited there); so are
        # the documents imported (with the file's SHA-256), the corrections and the proposals' fate.
        for model in (models.Observation, models.Correction, models.BudgetDocument, models.Proposal):
            audit.register(model)
        # Issue 20: submissions linked to a project, conclusions made items of a memorandum.
        audit.register(models.SubmissionLink)
        audit.register(models.ProposalConclusion)
        register_submission_panel(panels.SUBMISSION)
        register_conclusion_panel(panels.CONCLUSION)
        register_keyword_handler(sms.handle_keyword)
        registry.register(odk.SOURCE)  # the site-visit form on ODK Collect / Enketo
        register_menu_item(ussd.MENU_ITEM)  # "Project status" in the USSD main menu
        if chain.proposal_steps not in CHAIN_EXTENSIONS:
            CHAIN_EXTENSIONS.append(chain.proposal_steps)
