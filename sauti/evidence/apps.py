from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "sauti.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from sauti.dialogues import models as dialogues
        from sauti.evidence import audit, security  # noqa: F401 (security connects the log-in signals)
        from sauti.monitoring.models import Attachment, Case, CaseEvent, Report
        from sauti.opinions import models as opinions
        from sauti.questionnaires import models as questionnaires

        audit.register(Report, m2m=("categories",), label="monitoring.report")
        audit.register(Case, label="monitoring.case")
        audit.register(CaseEvent, label="monitoring.caseevent")
        audit.register(Attachment, label="monitoring.attachment")
        # What officials promised and how communities voted and verified (issue 6: commitments, ballots, votes).
        for model in (
            dialogues.ConsensusRound,
            dialogues.Ballot,
            dialogues.Response,
            dialogues.Commitment,
            dialogues.CommitmentUpdate,
            # Issue 15: the community's verdict by a show of hands at a meeting.
            dialogues.ShowOfHands,
            opinions.Statement,
            opinions.Vote,
            # Answers to an organisation's own questionnaires (issue 20), and what a group concluded.
            questionnaires.Submission,
            questionnaires.Finding,
            questionnaires.Agreement,
        ):
            audit.register(model)
        # The fields logged since issue 6; the channel an answer came by (issue 15) is kept beside them,
        # so answers logged before it still verify.
        audit.register(dialogues.VerificationAnswer, fields=("survey", "contact", "answer", "received_at"))
