from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _places_changed(**_: object) -> None:
    from sauti.places.services import clear_cache

    clear_cache()


class PlacesConfig(AppConfig):
    name = "sauti.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self) -> None:
        # Any change to places or aliases makes this process rebuild its text index on next use.
        for model_name in ("County", "Constituency", "Ward", "Settlement", "PlaceAlias"):
            model = self.get_model(model_name)
            post_save.connect(_places_changed, sender=model, dispatch_uid=f"places-index-{model_name}-save")
            post_delete.connect(
                _places_changed, sender=model, dispatch_uid=f"places-index-{model_name}-delete"
            )
        post_migrate.connect(_places_changed, dispatch_uid="places-index-migrate")
