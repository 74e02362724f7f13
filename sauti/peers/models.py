"""Peer learning (Huairou peer exchanges, seed 002): a library of practices grassroots groups run, exchange
visits between groups, the lessons each side records, and adoption of a practice by a visiting group."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sauti.people.models import LANGUAGE_CHOICES, Group, Organisation


class Practice(models.Model):
    """e.g. "Tuelewane pay-toilet model": what problem, what approach, what it costs, where it works.
    Contacts are groups, never people. Public in the library only when marked shareable."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="practices")
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("written in"), max_length=2, choices=LANGUAGE_CHOICES, default="en")
    problem = models.TextField(_("problem it answers"))
    approach = models.TextField(_("approach"))
    cost = models.CharField(_("cost"), max_length=240, blank=True)
    where_it_works = models.CharField(_("where it works"), max_length=240, blank=True)
    county = models.ForeignKey(
        "places.County",
        verbose_name=_("county"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    groups = models.ManyToManyField(
        Group, verbose_name=_("groups running it"), blank=True, related_name="practices"
    )
    shareable = models.BooleanField(_("shareable in the public library"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return self.title


def practice_file_path(instance: PracticeFile, filename: str) -> str:
    return f"peers/{instance.practice.organisation_id}/{instance.practice_id}/{filename}"


class PracticeFile(models.Model):
    """A document or photo of the practice (photos kept without their EXIF data)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=practice_file_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    def __str__(self) -> str:
        return self.caption or self.file.name


class ExchangeVisit(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="exchange_visits")
    host_group = models.ForeignKey(
        Group, verbose_name=_("host group"), on_delete=models.PROTECT, related_name="+"
    )
    visiting_groups = models.ManyToManyField(
        Group, verbose_name=_("visiting groups"), blank=True, related_name="+"
    )
    other_visitors = models.CharField(
        _("visiting groups from elsewhere"),
        max_length=400,
        blank=True,
        help_text=_("Group names, never people."),
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    practices = models.ManyToManyField(Practice, verbose_name=_("practices shown"), related_name="visits")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("exchange visit")
        verbose_name_plural = _("exchange visits")

    def __str__(self) -> str:
        return f"{self.host_group} {self.held_on:%Y-%m-%d}"


class Lesson(models.Model):
    """What one side (the host or a visitor) took from the visit."""

    class Side(models.TextChoices):
        HOST = "host", _("Host")
        VISITOR = "visitor", _("Visitor")

    visit = models.ForeignKey(ExchangeVisit, on_delete=models.CASCADE, related_name="lessons")
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    group_name = models.CharField(_("group"), max_length=200)
    text = models.TextField(_("lesson"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit", "created_at", "pk"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return f"{self.group_name}: {self.text[:40]}"


class Adoption(models.Model):
    """A group takes up a practice it saw; its results are recorded later."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        STARTED = "started", _("Started")
        RUNNING = "running", _("Running with results")
        STOPPED = "stopped", _("Stopped")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="adoptions")
    group = models.ForeignKey(
        Group, verbose_name=_("adopting group"), on_delete=models.PROTECT, related_name="+"
    )
    visit = models.ForeignKey(
        ExchangeVisit, verbose_name=_("after the visit"), on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    started_on = models.DateField(_("started"), null=True, blank=True)
    results = models.TextField(_("results"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practice", "group"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [models.UniqueConstraint(fields=["practice", "group"], name="adopt_once_per_group")]

    def __str__(self) -> str:
        return f"{self.group} → {self.practice}"
