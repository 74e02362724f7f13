"""`sauti setup`: the first organisation and its administrator without the demo (issue 13)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest

from django.core.management import CommandError, call_command
from django.test import Client

from sauti.monitoring.models import Category
from sauti.people.models import Membership, Organisation, Role, User

PASSWORD = "a-long-and-unusual-passphrase"


def setup(tmp_path: Path, *extra: str, password: str = PASSWORD, **options: str) -> dict[str, object]:
    file = tmp_path / "password"
    file.write_text(password + "\n")
    values = {
        "org-name": "Mathare Social Justice Centre",
        "org-slug": "msjc",
        "county": "047",
        "admin": "amina",
        "email": "amina@example.org",
        "password-file": str(file),
    }
    values.update({k.replace("_", "-"): v for k, v in options.items()})
    args = [f"--{k}={v}" for k, v in values.items() if v != "-"]
    out = StringIO()
    call_command("setup", *args, *extra, "--no-input", stdout=out)
    result: dict[str, object] = json.loads(out.getvalue())
    return result


@pytest.mark.django_db
def test_it_creates_the_organisation_and_its_administrator_once(tmp_path: Path) -> None:
    assert setup(tmp_path) == {"organisation": "msjc", "admin": "amina", "created": True}
    org = Organisation.objects.get(slug="msjc")
    assert org.name == "Mathare Social Justice Centre" and org.county is not None and org.county.code == 47
    user = User.objects.get(username="amina")
    assert user.is_superuser and user.is_staff and user.check_password(PASSWORD)
    assert Membership.objects.get(user=user, organisation=org).role == Role.ADMIN
    assert Category.objects.filter(organisation=org).exists()  # the seeded taxonomy
    # Again: nothing changes, and it says so.
    assert setup(tmp_path, password="another-password-entirely") == {
        "organisation": "msjc",
        "admin": "amina",
        "created": False,
    }
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Organisation.objects.count() == 1 and User.objects.count() == 1
    # The administrator can log in.
    assert Client().login(username="amina", password=PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"county": "99"}, "unknown county"),
        ({"county": "Atlantis"}, "unknown county"),
        ({"org_slug": "m s"}, "may contain only"),
        ({"email": "not-an-email"}, "not an email address"),
        ({"password_file": "-"}, "needs a password"),
        ({"org_name": "-"}, "missing --org-name"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, options: dict[str, str], error: str) -> None:
    with pytest.raises(CommandError, match=error):
        setup(tmp_path, **options)
    assert not Organisation.objects.filter(slug="msjc").exists()


@pytest.mark.django_db
def test_a_weak_password_or_a_clash_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="password refused"):
        setup(tmp_path, password="12345")
    assert not Organisation.objects.exists()  # all or nothing
    setup(tmp_path)
    with pytest.raises(CommandError, match="exists with another name"):
        setup(tmp_path, org_name="Another name")
    with pytest.raises(CommandError, match="exists with another email"):
        setup(tmp_path, email="someone@example.org")
    with pytest.raises(CommandError, match="cannot read the password file"):
        call_command("setup", "--org-name=X", "--org-slug=x", "--county=1", "--admin=a", "--email=a@b.org",
                     "--password-file=/nonexistent/file", "--no-input")  # fmt: skip


@pytest.mark.django_db
def test_missing_options_are_asked_for_when_interactive(tmp_path: Path) -> None:
    answers = iter(["Kibera Voices", "kibera", "Nairobi", "otieno", "otieno@example.org"])
    out = StringIO()
    with (
        mock.patch("sys.stdin.isatty", return_value=True),
        mock.patch("builtins.input", side_effect=lambda prompt: next(answers)),
        mock.patch("getpass.getpass", return_value=PASSWORD),
    ):
        call_command("setup", stdout=out)
    assert json.loads(out.getvalue()) == {"organisation": "kibera", "admin": "otieno", "created": True}
    assert Organisation.objects.get(slug="kibera").county.name == "Nairobi"  # type: ignore[union-attr]
