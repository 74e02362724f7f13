from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "sauti.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from sauti.audit import audit, verify
        from sauti.core import periodic
        from sauti.monitoring import integrity, signals, subjects  # noqa: F401 (signals connects its receivers)
        from sauti.monitoring.models import Attachment, Case, CaseEvent, FixAnswer, FixCheck, Report
        from sauti.monitoring.reporters import do_ask_if_fixed
        from sauti.people import erasure
        from sauti.people import subjects as people_subjects

        # The audited rows and their labels, as logged since the chain began (existing chains still verify).
        audit.register(Report, m2m=("categories",), label="monitoring.report")
        audit.register(Case, label="monitoring.case")
        audit.register(CaseEvent, label="monitoring.caseevent")
        audit.register(Attachment, label="monitoring.attachment")
        verify.register_file_check(integrity.attachment_files)
        # Data subject requests: reports in an export, the last report for retention, erasure of free text.
        people_subjects.register_exporter(subjects.export_subject)
        people_subjects.register_activity(subjects.LAST_ACTIVITY)
        erasure.register_eraser(subjects.erase_identity)
        # Issue 15: "Is it fixed?" asked of a resolved case's reporters, their answers and the coordinator's
        # decision on a "no" are part of the record.
        audit.register(FixCheck)
        audit.register(FixAnswer)
        periodic.register(
            "monitoring.fixed",
            do_ask_if_fixed,
            every="day",
            counts="reporters asked whether their resolved case is fixed",
        )
