from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sauti.places.matching import Area


class PeopleConfig(AppConfig):
    name = "sauti.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from sauti.people import security  # noqa: F401 (connects the log-in signals)
        from sauti.places.services import register_area_lookup

        register_area_lookup(_area_of_organisation)


def _area_of_organisation(slug: str) -> Area | None:
    from sauti.people.models import Organisation

    org = Organisation.objects.filter(slug=slug).first()
    return org.operating_area() if org is not None else None
