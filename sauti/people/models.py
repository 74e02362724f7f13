"""Organisations, users and their roles, community groups, contacts and consent (and, in models_security.py,
the log-in hardening rows)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from sauti.core import crypto
from sauti.people.models_security import LoginFailure as LoginFailure
from sauti.people.models_security import OdkPassword as OdkPassword
from sauti.people.models_security import RecoveryCode as RecoveryCode
from sauti.people.models_security import TOTPDevice as TOTPDevice
from sauti.people.nameparts import name_parts, token_digest
from sauti.places.matching import Area


def new_pseudonym() -> str:
    """A short id safe to show anywhere (exports, officials' views): no vowels, so no words."""
    alphabet = "BCDFGHJKLMNPQRSTVWXZ23456789"
    return "P-" + "".join(secrets.choice(alphabet) for _ in range(8))


LANGUAGE_CHOICES = [("en", _("English")), ("sw", _("Kiswahili"))]


class Organisation(models.Model):
    KIND_CHOICES = [
        ("ngo", _("NGO")),
        ("cbo", _("Community-based organisation")),
        ("federation", _("Federation / network")),
        ("government", _("Government")),
        ("other", _("Other")),
    ]
    name = models.CharField(_("name"), max_length=160, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES, default="ngo")
    description = models.TextField(_("description"), blank=True)
    county = models.ForeignKey(
        "places.County", verbose_name=_("county"), on_delete=models.SET_NULL, null=True, blank=True
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Area of operation: whole counties, and single wards beyond them. Place names are read in its light
    # ("Huruma" is the Nairobi ward for a Nairobi organisation) and maps open on it. Empty: all Kenya.
    area_counties = models.ManyToManyField(
        "places.County", verbose_name=_("counties worked in"), blank=True, related_name="+"
    )
    area_wards = models.ManyToManyField(
        "places.Ward",
        verbose_name=_("wards worked in beyond those counties"),
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def operating_area(self) -> Area:
        """The organisation's area as IEBC codes; its home county when none is set. Carries the slug, so
        its own local places (and no other organisation's) are matched."""
        if not self.pk:
            return Area()
        counties = frozenset(self.area_counties.values_list("code", flat=True))
        wards = frozenset(self.area_wards.values_list("code", flat=True))
        if not counties and not wards and self.county is not None:
            counties = frozenset({self.county.code})
        return Area(counties=counties, wards=wards, owner=self.slug)


class Office(models.Model):
    """A public office that officials hold (chief, MCA, county department, police station …)."""

    KIND_CHOICES = [
        ("chief", _("Chief / assistant chief")),
        ("mca", _("Member of County Assembly")),
        ("county_department", _("County department")),
        ("police", _("Police station")),
        ("national", _("National government office")),
        ("other", _("Other")),
    ]
    name = models.CharField(_("name"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=KIND_CHOICES)
    county = models.ForeignKey(
        "places.County", verbose_name=_("county"), on_delete=models.SET_NULL, null=True, blank=True
    )
    ward = models.ForeignKey(
        "places.Ward", verbose_name=_("ward"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=LANGUAGE_CHOICES, default="en"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    MONITOR = "monitor", _("Field monitor")
    GROUP_LEADER = "group_leader", _("Group leader")
    ANALYST = "analyst", _("Analyst")
    OFFICIAL = "official", _("Official")


class Membership(models.Model):
    """A user's role in one organisation. Group leaders name their groups; officials their office."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    groups = models.ManyToManyField("people.Group", blank=True, related_name="leader_memberships")
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="officials"
    )

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_organisation"),
            models.CheckConstraint(
                condition=~models.Q(role="official") | models.Q(office__isnull=False),
                name="official_has_office",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class Group(models.Model):
    KIND_CHOICES = [
        ("women", _("Women's group")),
        ("youth", _("Youth group")),
        ("self_help", _("Self-help group")),
        ("farmers", _("Farmers' group")),
        ("cbo", _("Community-based organisation")),
        ("residents", _("Residents' association")),
        ("savings", _("Savings group (chama)")),
        ("disability", _("Persons with disabilities group")),
        ("other", _("Other")),
    ]
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES)
    ward = models.ForeignKey(
        "places.Ward", verbose_name=_("ward"), on_delete=models.PROTECT, null=True, blank=True
    )
    settlement = models.ForeignKey(
        "places.Settlement", verbose_name=_("settlement"), on_delete=models.SET_NULL, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="group_name_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person the organisation works with. Name and phone are encrypted; the phone is found by a keyed hash.

    A contact belongs to the way the organisation came to know the person (`scope`), so that knowing a
    phone number never links two records (docs/architecture.md, "Contacts belong to whoever may see them"):
    "" is the record of a number that reached the organisation itself (SMS, USSD: the number is proven),
    "group:<pk>" a member as that group's leaders entered them, "form:<token>" the details a reporter typed
    in a web form or gave a field monitor (unproven: one record per submission). Only a coordinator's
    explicit merge (people.actions.do_merge_contacts) joins two records.
    """

    INTAKE = ""

    GENDER_CHOICES = [("f", _("Female")), ("m", _("Male")), ("x", _("Other / prefer not to say"))]
    AGE_BANDS = [
        ("u18", _("Under 18")),
        ("18_24", "18–24"),
        ("25_35", "25–35"),
        ("36_59", "36–59"),
        ("60_plus", _("60 and over")),
    ]
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    pseudonym = models.CharField(_("pseudonymous id"), max_length=16, unique=True, editable=False)
    name_ciphertext = crypto.EncryptedTextField(editable=False, blank=True)
    phone_ciphertext = crypto.EncryptedTextField(editable=False, blank=True)
    phone_hash = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    scope = models.CharField(_("known through"), max_length=40, blank=True, default="", editable=False)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, default="sw")
    gender = models.CharField(_("gender"), max_length=1, choices=GENDER_CHOICES, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AGE_BANDS, blank=True)
    ward = models.ForeignKey(
        "places.Ward", verbose_name=_("ward"), on_delete=models.SET_NULL, null=True, blank=True
    )
    settlement = models.ForeignKey(
        "places.Settlement", verbose_name=_("settlement"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pseudonym"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "scope", "phone_hash"],
                condition=~models.Q(phone_hash=""),
                name="contact_phone_unique_per_scope",
            )
        ]

    def __str__(self) -> str:
        return self.pseudonym

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.pseudonym:
            self.pseudonym = new_pseudonym()
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or "name_ciphertext" in fields:
            self.index_name()

    def index_name(self) -> None:
        """Keep the keyed hashes of this contact's name parts (NameToken) in step with the name, so that
        redaction finds the name in free text without decrypting anyone."""
        NameToken.objects.filter(contact=self).delete()
        if self.name_ciphertext:
            NameToken.objects.bulk_create(
                [
                    NameToken(organisation_id=self.organisation_id, contact=self, digest=token_digest(p))
                    for p in name_parts(self.name)
                ]
            )

    @staticmethod
    def group_scope(group_id: int) -> str:
        return f"group:{group_id}"

    @staticmethod
    def form_scope() -> str:
        return "form:" + secrets.token_hex(8)

    @property
    def scope_kind(self) -> str:
        """ "intake", "group" or "form"."""
        return self.scope.split(":", 1)[0] if self.scope else "intake"

    # Reading these is an identity access: views go through people.actions.reveal_identity, which logs it.
    @property
    def name(self) -> str:
        return crypto.decrypt(self.name_ciphertext)

    @name.setter
    def name(self, value: str) -> None:
        self.name_ciphertext = crypto.encrypt(value.strip())

    phone = crypto.EncryptedPhone()


class NameToken(models.Model):
    """One part of a contact's name, as a keyed hash (HMAC with SAUTI_LOOKUP_KEY): what the redaction of
    free text looks words up in (sauti/people/redaction.py). Holds no name; rebuilt when a name changes."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="name_tokens")
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organisation", "digest"], name="nametoken_org_digest")]

    def __str__(self) -> str:
        return self.digest[:12]


class GroupMembership(models.Model):
    ROLE_CHOICES = [
        ("member", _("Member")),
        ("leader", _("Leader / chairperson")),
        ("secretary", _("Secretary")),
        ("treasurer", _("Treasurer")),
    ]
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(_("role in group"), max_length=12, choices=ROLE_CHOICES, default="member")
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        ordering = ["group", "contact"]
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [models.UniqueConstraint(fields=["group", "contact"], name="one_membership_per_group")]

    def __str__(self) -> str:
        return f"{self.contact} in {self.group}"


class Consent(models.Model):
    """One consent decision. Append-only: the latest row per contact and purpose is in force."""

    PURPOSE_CHOICES = [
        ("messaging", _("Receive SMS and calls")),
        ("reporting", _("Store and use my reports")),
        ("sharing", _("Share anonymised data with partners")),
        ("research", _("Use in research and publications")),
    ]
    METHOD_CHOICES = [
        ("paper", _("Paper form")),
        ("verbal", _("Verbal, recorded by staff")),
        ("sms", _("SMS")),
        ("ussd", _("USSD")),
        ("web", _("Web form")),
        ("import", _("Member list import")),
    ]
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=12, choices=PURPOSE_CHOICES)
    granted = models.BooleanField(_("granted"))
    method = models.CharField(_("how"), max_length=10, choices=METHOD_CHOICES)
    recorded_at = models.DateTimeField(_("when"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=240, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.contact} {self.purpose} {'yes' if self.granted else 'no'}"


class IdentityAccess(models.Model):
    """Who saw whose identity, when and where. Reviewable by admins."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identity_accesses")
    at = models.DateTimeField(auto_now_add=True)
    context = models.CharField(max_length=200)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("identity access")
        verbose_name_plural = _("identity accesses")

    def __str__(self) -> str:
        return f"{self.user} saw {self.contact} at {self.at:%Y-%m-%d %H:%M}"
