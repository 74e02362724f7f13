"""`sauti backup` / `sauti restore` on real processes and throwaway databases (issue 13): the restored
deployment passes `sauti verify --files` and has the same rows and files; restore refuses a database that
is not empty and a damaged archive."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import copy_database

SEED = """
import io
from PIL import Image
from django.core.files.uploadedfile import SimpleUploadedFile
from sauti.audit import audit
from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.people.models import Organisation
buf = io.BytesIO(); Image.new("RGB", (40, 30), (200, 20, 20)).save(buf, "PNG")
org = Organisation.objects.get(slug="msjc")
with audit.acting_as("test"):
    for i in range(3):
        do_submit_report(org, ReportInput(description=f"Maji yamekatwa {i}", channel="web", place_text="Mabatini",
            attachments=[SimpleUploadedFile(f"p{i}.png", buf.getvalue(), "image/png")]))
"""


def sauti(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sauti", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def deployment(var: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SAUTI_VAR_DIR")}
    env.update(SAUTI_VAR_DIR=str(var), SAUTI_ENV="test")
    env["DATABASE_URL"] = database_url or f"sqlite:///{var / 'db.sqlite3'}"
    # Both deployments share the keys (kept apart from backups).
    for name in ("secret_key", "identity_keys", "lookup_key"):
        if (KEYS / name).exists():
            var.mkdir(parents=True, exist_ok=True)
            (var / name).write_text((KEYS / name).read_text())
    return env


KEYS = Path()


def test_backup_then_restore_into_an_empty_sqlite_database(tmp_path: Path, migrated_sqlite: Path) -> None:
    global KEYS
    KEYS = tmp_path / "source"
    source = deployment(tmp_path / "source")
    copy_database(migrated_sqlite, tmp_path / "source" / "db.sqlite3")
    password = tmp_path / "pw"
    password.write_text("a-long-and-unusual-passphrase\n")
    made = sauti(source, "setup", "--org-name", "MSJC", "--org-slug", "msjc", "--county", "47", "--admin",
                 "amina", "--email", "a@example.org", "--password-file", str(password), "--no-input")  # fmt: skip
    assert made.returncode == 0, made.stderr
    seeded = sauti(source, "shell", "-c", SEED)
    assert seeded.returncode == 0, seeded.stderr
    archive = tmp_path / "backup.tar.gz"
    backup = sauti(source, "backup", "-o", str(archive))
    assert backup.returncode == 0, backup.stderr
    summary = json.loads(backup.stdout)
    assert summary["engine"] == "sqlite" and summary["files"] == 6
    assert (
        archive.stat().st_mode & 0o777 == 0o600
    )  # the whole database: owner only, whatever the umask  # 3 photos + their EXIF-free copies
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = set(tar.getnames())
    assert manifest["counts"]["monitoring_report"] == 3
    assert set(manifest["files"]) <= names and all(len(f["sha256"]) == 64 for f in manifest["files"].values())

    target = deployment(tmp_path / "target")
    restored = sauti(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["files"] == 6
    verify = sauti(target, "verify", "--files", "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert json.loads(verify.stdout)["ok"] is True
    # The same rows: the source's own verify sees the same chain head.
    assert json.loads(sauti(source, "verify", "--json").stdout)["head"] == json.loads(verify.stdout)["head"]
    # A second restore is refused: the database is no longer empty.
    again = sauti(target, "restore", str(archive))
    assert again.returncode == 1 and "not empty" in again.stderr


def test_a_damaged_archive_is_refused_before_anything_is_touched(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    global KEYS
    KEYS = tmp_path
    source = deployment(tmp_path / "source")
    copy_database(migrated_sqlite, tmp_path / "source" / "db.sqlite3")
    archive = tmp_path / "backup.tar.gz"
    assert sauti(source, "backup", "-o", str(archive)).returncode == 0
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        for name, data in members.items():
            if name == "database.sqlite3":
                data = data[:-10] + b"x" * 10
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target = deployment(tmp_path / "target")
    result = sauti(target, "restore", str(damaged))
    assert result.returncode == 1 and "SHA-256" in result.stderr
    with sqlite3.connect(tmp_path / "target" / "db.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    nothing = sauti(target, "restore", str(tmp_path / "missing.tar.gz"))
    assert nothing.returncode == 1 and "no such file" in nothing.stderr


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the PostgreSQL path runs in pg-test",
)
def test_backup_then_restore_on_postgresql(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    names = [f"sauti_backup_src_{os.getpid()}", f"sauti_backup_dst_{os.getpid()}"]
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        global KEYS
        KEYS = tmp_path / "source"
        source = deployment(tmp_path / "source", f"{base}/{names[0]}")
        assert sauti(source, "migrate", "-v0").returncode == 0
        seeded = sauti(source, "shell", "-c", "from sauti.people.models import Organisation; "
                       "Organisation.objects.create(name='MSJC', slug='msjc')\n" + SEED)  # fmt: skip
        assert seeded.returncode == 0, seeded.stderr
        archive = tmp_path / "backup.tar.gz"
        backup = sauti(source, "backup", "-o", str(archive))
        assert backup.returncode == 0, backup.stderr
        assert json.loads(backup.stdout)["engine"] == "postgresql"
        target = deployment(tmp_path / "target", f"{base}/{names[1]}")
        restored = sauti(target, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        verify = sauti(target, "verify", "--files", "--json")
        assert verify.returncode == 0 and json.loads(verify.stdout)["ok"] is True, verify.stdout
    finally:
        with psycopg.connect(base + "/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_of_a_database_that_was_never_migrated_is_refused(tmp_path: Path) -> None:
    """Review (session 6): a wrong SAUTI_VAR_DIR backed up an empty database and exited 0; a missing folder
    was created."""
    global KEYS
    KEYS = tmp_path
    empty = deployment(tmp_path / "elsewhere")
    refused = sauti(empty, "backup", "-o", str(tmp_path / "b.tar.gz"))
    assert refused.returncode == 1 and "no Sauti data" in refused.stderr
    assert not (tmp_path / "b.tar.gz").exists()
    nowhere = sauti(empty, "backup", "-o", str(tmp_path / "no" / "such" / "b.tar.gz"))
    assert nowhere.returncode == 1 and "does not exist" in nowhere.stderr
    assert not (tmp_path / "no").exists()
    # Any other command on that database says what is wrong instead of a traceback about a missing table.
    forms = sauti(empty, "forms", "import", str(tmp_path / "x.xlsx"), "--org", "umoja", "--json")
    assert forms.returncode == 1 and "run `sauti migrate` first" in forms.stderr
    assert "Traceback" not in forms.stderr
