"""First run without the demo: the first organisation and its administrator (`sauti setup`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from sauti.people.models import Membership, Organisation, Role, User
from sauti.places.models import County


class SetupError(Exception):
    """Input `sauti setup` refuses, with the reason (the command exits 1 with it)."""


@dataclass(frozen=True)
class SetupResult:
    organisation: Organisation
    admin: User
    created: bool


def find_county(code_or_name: str) -> County:
    text = code_or_name.strip()
    county = (
        County.objects.filter(code=int(text)).first()
        if text.isdigit()
        else County.objects.filter(name__iexact=text).first()
    )
    if county is None:
        raise SetupError(
            f"unknown county {text!r}: give its IEBC code (1-47, e.g. 047 for Nairobi) or its name"
        )
    return county


def check_inputs(*, org_name: str, org_slug: str, admin: str, email: str) -> None:
    if not org_name.strip():
        raise SetupError("the organisation name is empty")
    if len(org_name) > Organisation._meta.get_field("name").max_length:  # type: ignore[operator]
        raise SetupError("the organisation name is longer than 160 characters")
    try:
        validate_slug(org_slug)
    except ValidationError:
        raise SetupError(
            f"organisation slug {org_slug!r} may contain only letters, digits, hyphens and underscores"
        ) from None
    if not admin.strip() or len(admin) > 150:
        raise SetupError("the administrator's username is empty or longer than 150 characters")
    try:
        validate_email(email)
    except ValidationError:
        raise SetupError(f"{email!r} is not an email address") from None


@transaction.atomic
def do_setup(
    *, org_name: str, org_slug: str, county: County, admin: str, email: str, password: str | None
) -> SetupResult:
    """Create the organisation and its administrator (a deployment superuser with the organisation's admin
    role), or find them as an earlier run left them: running it again changes nothing and says so.
    `password` is needed only when the user is new; an existing user's password is never changed."""
    check_inputs(org_name=org_name, org_slug=org_slug, admin=admin, email=email)
    created = False
    org = Organisation.objects.filter(slug=org_slug).first()
    if org is None:
        if Organisation.objects.filter(name=org_name).exists():
            raise SetupError(f"another organisation is already called {org_name!r}")
        org = Organisation.objects.create(name=org_name, slug=org_slug, county=county)
        created = True
    elif org.name != org_name:
        raise SetupError(f"organisation {org_slug!r} exists with another name: {org.name!r}")
    user = User.objects.filter(username=admin).first()
    if user is None:
        if not password:
            raise SetupError("a new administrator needs a password (--password-file FILE)")
        user = User(username=admin, email=email, is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as e:
            raise SetupError("password refused: " + " ".join(e.messages)) from None
        user.set_password(password)
        user.save()
        created = True
    elif user.email.lower() != email.lower():
        raise SetupError(f"user {admin!r} exists with another email address")
    membership = Membership.objects.filter(user=user, organisation=org).first()
    if membership is None:
        Membership.objects.create(user=user, organisation=org, role=Role.ADMIN)
        created = True
    elif membership.role != Role.ADMIN:
        raise SetupError(f"user {admin!r} already belongs to {org_slug!r} with the role {membership.role!r}")
    return SetupResult(organisation=org, admin=user, created=created)
