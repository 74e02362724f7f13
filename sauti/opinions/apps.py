from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "sauti.opinions"
    label = "opinions"
    verbose_name = _("Opinion maps")

    def ready(self) -> None:
        from sauti.audit import audit
        from sauti.opinions import models, subjects
        from sauti.people.erasure import register_eraser

        # How communities voted (issue 6).
        audit.register(models.Statement)
        audit.register(models.Vote)
        register_eraser(subjects.erase_identity)
