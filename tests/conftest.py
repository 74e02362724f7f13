"""Named personas shared by the suite. Built through the same actions the app uses."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import translation

from sauti.people import actions
from sauti.people.models import Group, Membership, Office, Organisation, Role, User
from sauti.places.loader import GazetteerModels, load_gazetteer
from sauti.places.models import Ward

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    umoja: Organisation
    haki: Organisation
    mathare_group: Group
    kiambu_group: Group
    haki_group: Group
    alice: User  # deployment administrator (superuser)
    wanjiku: User  # coordinator, Umoja
    bob: User  # coordinator of the other organisation, Haki
    otieno: User  # field monitor, Umoja
    achieng: User  # group leader of mathare_group, Umoja
    kamau: User  # analyst, Umoja
    chief: User  # official (Chief, Mabatini), attached to Umoja
    outsider: User  # logged in, no organisation

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def make_user(username: str, **extra: object) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )
    return user


def member_of(user: User, org: Organisation, role: Role, **extra: object) -> Membership:
    return Membership.objects.create(user=user, organisation=org, role=role, **extra)


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Every test starts in the default language: a Kiswahili request or command must not leak into the
    next test that runs in the same worker (seen: redaction markers came out as "[jina]")."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db: None) -> World:
    if not Ward.objects.exists():
        # A transactional test (pytest-django runs them last) flushed the migration-loaded gazetteer.
        load_gazetteer(GazetteerModels.from_apps(apps))
    umoja = Organisation.objects.create(name="Umoja Women's Network", slug="umoja")
    haki = Organisation.objects.create(name="Haki Mtaani", slug="haki")
    mabatini = Ward.objects.get(code=1446)
    mathare_group = Group.objects.create(
        organisation=umoja, name="Mathare Mothers", kind="women", ward=mabatini
    )
    kiambu_group = Group.objects.create(
        organisation=umoja, name="Githunguri Farmers", kind="farmers", ward=Ward.objects.get(code=577)
    )
    haki_group = Group.objects.create(
        organisation=haki, name="Kibra Youth", kind="youth", ward=Ward.objects.get(code=1386)
    )
    office = Office.objects.create(name="Chief, Mabatini", kind="chief", ward=mabatini)
    w = World(
        umoja=umoja,
        haki=haki,
        mathare_group=mathare_group,
        kiambu_group=kiambu_group,
        haki_group=haki_group,
        alice=make_user("alice", is_superuser=True, is_staff=True),
        wanjiku=make_user("wanjiku"),
        bob=make_user("bob"),
        otieno=make_user("otieno"),
        achieng=make_user("achieng"),
        kamau=make_user("kamau"),
        chief=make_user("chief"),
        outsider=make_user("outsider"),
    )
    member_of(w.wanjiku, umoja, Role.COORDINATOR)
    member_of(w.bob, haki, Role.COORDINATOR)
    member_of(w.otieno, umoja, Role.MONITOR)
    member_of(w.achieng, umoja, Role.GROUP_LEADER).groups.add(mathare_group)
    member_of(w.kamau, umoja, Role.ANALYST)
    member_of(w.chief, umoja, Role.OFFICIAL, office=office)
    actions.do_add_member(mathare_group, name="Njeri Wambui", phone="+254712000001", by=None, gender="f")
    actions.do_add_member(kiambu_group, name="Mumbua Mutua", phone="+254712000002", by=None, gender="f")
    actions.do_add_member(haki_group, name="Baraka Omondi", phone="+254712000003", by=None, gender="m")
    return w


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A SQLite file with every migration applied, made once per test run (xdist workers share it through a
    lock). Tests that start real `sauti` processes copy it (`copy_database`) instead of migrating: a
    migration run takes ~20 s on this machine."""
    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent
    db = root / "migrated.sqlite3"
    with FileLock(str(root / "migrated.lock")):
        if not db.exists():
            var = root / "migrated-var"
            env = {**os.environ, "SAUTI_VAR_DIR": str(var), "SAUTI_ENV": "test"}
            env["DATABASE_URL"] = f"sqlite:///{var / 'db.sqlite3'}"
            subprocess.run(
                [sys.executable, "-m", "sauti", "migrate", "-v0"], env=env, check=True, timeout=900
            )
            copy_database(var / "db.sqlite3", root / "migrated.tmp")
            (root / "migrated.tmp").rename(db)
    return db


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database through its backup API (consistent even with a write-ahead log)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
