from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "sauti.dialogues"
    label = "dialogues"
    verbose_name = _("Dialogues")

    def ready(self) -> None:
        from sauti.audit import audit
        from sauti.core import periodic
        from sauti.dialogues import models, subjects
        from sauti.dialogues.actions import do_send_due_reminders, do_send_follow_up_reminders
        from sauti.people.erasure import register_eraser

        # What officials promised and how communities voted and verified (issue 6: commitments, ballots);
        # issue 15: the community's verdict by a show of hands at a meeting.
        for model in (
            models.ConsensusRound,
            models.Ballot,
            models.Response,
            models.Commitment,
            models.CommitmentUpdate,
            models.ShowOfHands,
        ):
            audit.register(model)
        # The fields logged since issue 6; the channel an answer came by (issue 15) is kept beside them,
        # so answers logged before it still verify.
        audit.register(models.VerificationAnswer, fields=("survey", "contact", "answer", "received_at"))
        register_eraser(subjects.erase_identity)
        periodic.register(
            "dialogues.reminders",
            lambda: do_send_due_reminders() + do_send_follow_up_reminders(),
            every="day",
            counts="commitment reminders and escalations sent",
        )
