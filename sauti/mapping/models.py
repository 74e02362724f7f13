"""Mapping exercises (Pamoja Mtaani, seed 003): hotspots participants mark, and actors with the ties the
group sees between them, recorded at the meeting or afterwards from a photo of the paper map."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sauti.dialogues.models import Meeting


class MappingExercise(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="mapping_exercises")
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting__starts_at", "pk"]
        verbose_name = _("mapping exercise")
        verbose_name_plural = _("mapping exercises")

    def __str__(self) -> str:
        return self.title


class HotspotKind(models.TextChoices):
    SAFE = "safe", _("Safe")
    UNSAFE = "unsafe", _("Unsafe")
    GO_ZONE = "go_zone", _("Go-zone (no-go area)")
    CONFLICT = "conflict", _("Conflict spot")


class Hotspot(models.Model):
    """A place participants marked, named as they name it, with a point when it was marked on a map."""

    exercise = models.ForeignKey(MappingExercise, on_delete=models.CASCADE, related_name="hotspots")
    label = models.CharField(_("place"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=HotspotKind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    segment = models.CharField(_("marked by (segment)"), max_length=30, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    ward = models.ForeignKey(
        "places.Ward", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["exercise", "label", "pk"]
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")

    def __str__(self) -> str:
        return f"{self.label} ({self.kind})"


class ActorKind(models.TextChoices):
    POLICE = "police", _("Police post or station")
    ADMINISTRATION = "administration", _("Chief or administration")
    COUNTY = "county", _("County office")
    YOUTH = "youth", _("Youth group")
    WOMEN = "women", _("Women's group")
    FAITH = "faith", _("Church or mosque")
    BUSINESS = "business", _("Business")
    GANGS = "gangs", _("Gangs (as a category)")
    RESIDENTS = "residents", _("Residents")
    OTHER = "other", _("Other")


class Actor(models.Model):
    """An actor as the group names it: an institution, a group or a category — never a named person."""

    exercise = models.ForeignKey(MappingExercise, on_delete=models.CASCADE, related_name="actors")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=ActorKind.choices)

    class Meta:
        ordering = ["exercise", "kind", "name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        constraints = [models.UniqueConstraint(fields=["exercise", "name"], name="actor_once_per_exercise")]

    def __str__(self) -> str:
        return self.name


class TieKind(models.TextChoices):
    TRUST = "trust", _("Trust")
    COOPERATION = "cooperation", _("Cooperation")
    CONFLICT = "conflict", _("Conflict")
    MISTRUST = "mistrust", _("Mistrust")


class Tie(models.Model):
    exercise = models.ForeignKey(MappingExercise, on_delete=models.CASCADE, related_name="ties")
    source = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=TieKind.choices)
    strength = models.PositiveSmallIntegerField(
        _("strength (1 weak – 3 strong)"), validators=[MinValueValidator(1), MaxValueValidator(3)], default=2
    )

    class Meta:
        ordering = ["exercise", "pk"]
        verbose_name = _("tie")
        verbose_name_plural = _("ties")
        constraints = [
            models.UniqueConstraint(fields=["exercise", "source", "target", "kind"], name="tie_once"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="tie_between_two"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}-{self.kind}-{self.target_id}"
