from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sauti.places.matching import Area


class PeopleConfig(AppConfig):
    name = "sauti.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from sauti.core import periodic
        from sauti.people import security  # noqa: F401 (connects the log-in signals)
        from sauti.places.services import register_area_lookup

        register_area_lookup(_area_of_organisation)
        periodic.register(
            "people.retention", _retention, every="day", counts="identities past retention erased"
        )


def _area_of_organisation(slug: str) -> Area | None:
    from sauti.people.models import Organisation

    org = Organisation.objects.filter(slug=slug).first()
    return org.operating_area() if org is not None else None


def _retention() -> int:
    # Imported when run: apps.py is imported before the models are ready.
    from sauti.audit import audit
    from sauti.people.subjects import do_retention

    with audit.acting_as("task:retention"):
        return do_retention()
