"""`sauti backup -o FILE` and `sauti restore FILE`: the database and the uploaded files in one archive.

The archive is a gzip'd tar holding
- `manifest.json`: format and version, when, the database engine, the applied migrations, the number of
  rows in every table, and the SHA-256 and size of every other member;
- the database: `database.sqlite3` (SQLite's online backup API: a consistent copy while Sauti runs) or
  `database.dump` (`pg_dump --format=custom`, run in the same snapshot as the row counts);
- `media/…`: every uploaded file (attachments, photos).

The keys (SECRET_KEY, SAUTI_IDENTITY_KEYS, SAUTI_LOOKUP_KEY) are NOT in it: keep them apart, as without
them the identities in a backup cannot be read (which is the point if the archive leaks).

A restore checks every SHA-256 before it touches anything, refuses a database that is not empty, loads
the database (SQLite backup API / `pg_restore`), puts the files back, and compares the row counts with the
manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "sauti-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.dump"
CHUNK = 1 << 20

Progress = Callable[[str], object]


class BackupError(Exception):
    """Why a backup or restore was refused or failed (the command exits 1 with it)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _count_tables(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 (quoted table names)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def table_counts() -> dict[str, int]:
    """Rows in every table of the database Sauti uses now."""
    with connection.cursor() as cursor:
        return _count_tables(cursor, connection.introspection.table_names(cursor))


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: int(db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in sorted(tables)}  # noqa: S608


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    """libpq options for the default database (password through the environment, never argv)."""
    params = connection.get_connection_params()
    env = dict(os.environ)
    args = []
    for key, flag in (("host", "--host"), ("port", "--port"), ("user", "--username")):
        if params.get(key):
            args += [flag, str(params[key])]
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    dbname = params.get("dbname") or settings.DATABASES["default"]["NAME"]
    args += ["--dbname", str(dbname)]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} not found: install the PostgreSQL client tools") from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def _dump_database(dest: Path, progress: Progress) -> tuple[str, dict[str, int]]:
    """Write the database to `dest`'s folder; the member name and the row counts of that very copy."""
    if engine() == "sqlite":
        path = dest / SQLITE_MEMBER
        connection.ensure_connection()
        source = connection.connection
        assert source is not None
        progress("copying the SQLite database (online backup API) …")
        target = sqlite3.connect(path)
        try:
            source.backup(target, pages=4096)
        finally:
            target.close()
        return SQLITE_MEMBER, _sqlite_counts(path)
    path = dest / PG_MEMBER
    env, args = _pg_env_and_args()
    # Count the rows and dump in one snapshot, so the counts are exactly those of the dump.
    with connection.cursor() as cursor:
        connection.set_autocommit(False)
        try:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count_tables(cursor, connection.introspection.table_names(cursor))
            progress("pg_dump …")
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  "--file", str(path), *args], env)  # fmt: skip
        finally:
            connection.rollback()
            connection.set_autocommit(True)
    return PG_MEMBER, counts


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, "media/" + path.relative_to(root).as_posix()


def do_backup(output: Path, progress: Progress = lambda _m: None) -> dict[str, Any]:
    """Write the archive to `output` (atomically: a temporary file renamed at the end); its manifest."""
    kind = engine()
    output = output.resolve()
    if not output.parent.is_dir():
        raise BackupError(f"the folder {output.parent} does not exist")
    recorder = MigrationRecorder(connection)
    if not recorder.has_table() or not recorder.applied_migrations():
        # A wrong DATABASE_URL or SAUTI_VAR_DIR opens (or creates) an empty database: an "ok" backup of
        # nothing would be found out only on the day it is needed.
        raise BackupError(
            f"the database {connection.settings_dict['NAME']} holds no Sauti data (no migrations applied): "
            "check DATABASE_URL and SAUTI_VAR_DIR"
        )
    with tempfile.TemporaryDirectory(prefix="sauti-backup-", dir=output.parent) as tmp:
        work = Path(tmp)
        member, counts = _dump_database(work, progress)
        files: dict[str, dict[str, Any]] = {
            member: {"sha256": _sha256(work / member), "size": (work / member).stat().st_size}
        }
        media = list(_media_files())
        progress(f"hashing {len(media)} uploaded files …")
        for path, name in media:
            files[name] = {"sha256": _sha256(path), "size": path.stat().st_size}
        migrations = sorted(
            f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
        )
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "engine": kind,
            "database": member,
            "migrations": migrations,
            "counts": counts,
            "files": files,
        }
        partial = work / "archive.tar.gz"
        progress(f"writing {output.name} …")
        # The archive holds the whole database (password hashes, sessions, encrypted identities): owner only.
        partial.touch(mode=0o600)
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(work / member, arcname=member)
            for i, (path, name) in enumerate(media, 1):
                tar.add(path, arcname=name)
                if i % 500 == 0:
                    progress(f"  {i}/{len(media)} files")
        os.replace(partial, output)
    return manifest


@contextmanager
def _opened(archive: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as e:
        raise BackupError(f"{archive} is not a Sauti backup: {e}") from None
    with tar:
        yield tar


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise KeyError(MANIFEST)
        manifest: dict[str, Any] = json.loads(member.read())
    except (KeyError, ValueError, tarfile.TarError):
        raise BackupError("the archive has no readable manifest.json: not a Sauti backup") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            f"unknown backup format {manifest.get('format')!r} version {manifest.get('version')!r}"
        )
    return manifest


def _copy_checked(source: IO[bytes], dest: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with dest.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != expected:
        raise BackupError(f"{dest.name}: SHA-256 differs from the manifest (the archive is damaged)")


def database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def do_restore(archive: Path, progress: Progress = lambda _m: None) -> dict[str, Any]:
    """Restore the archive into the configured database, which must be empty, and MEDIA_ROOT. Returns
    `{"counts": {...}, "mismatches": {table: [expected, found]}, "files": n}`."""
    kind = engine()
    with _opened(archive) as tar, tempfile.TemporaryDirectory(prefix="sauti-restore-") as tmp:
        manifest = read_manifest(tar)
        if manifest["engine"] != kind:
            raise BackupError(f"this backup is of a {manifest['engine']} database; DATABASE_URL is {kind}")
        if not database_is_empty():
            raise BackupError("the database is not empty: restore only into a new, empty database "
                              "(create it, do not run `sauti migrate` first)")  # fmt: skip
        work = Path(tmp)
        files: dict[str, dict[str, Any]] = manifest["files"]
        names = {m.name: m for m in tar.getmembers() if m.isfile()}
        missing = sorted(set(files) - set(names))
        if missing:
            raise BackupError(
                f"the archive lacks {len(missing)} files named in its manifest, e.g. {missing[0]}"
            )
        progress(f"checking {len(files)} SHA-256 sums …")
        media_root = Path(settings.MEDIA_ROOT)
        staged: list[tuple[Path, Path]] = []
        for i, (name, meta) in enumerate(sorted(files.items()), 1):
            if name != manifest["database"] and (not name.startswith("media/") or ".." in Path(name).parts):
                raise BackupError(f"unexpected member {name!r} in the archive")
            source = tar.extractfile(names[name])
            assert source is not None
            target = work / "members" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_checked(source, target, meta["sha256"])
            if name.startswith("media/"):
                staged.append((target, media_root / name.removeprefix("media/")))
            if i % 500 == 0:
                progress(f"  {i}/{len(files)}")
        for _checked, dest in staged:
            if (
                dest.exists()
                and _sha256(dest) != files["media/" + dest.relative_to(media_root).as_posix()]["sha256"]
            ):
                raise BackupError(f"{dest} exists with other content: restore into an empty MEDIA_ROOT")
        database = work / "members" / manifest["database"]
        progress("loading the database …")
        _load_database(kind, database)
        for checked, dest in staged:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(checked, dest)
    found = table_counts()
    expected: dict[str, int] = manifest["counts"]
    mismatches = {
        t: [expected.get(t), found.get(t)]
        for t in sorted(set(expected) | set(found))
        if expected.get(t) != found.get(t)
    }
    return {"counts": found, "mismatches": mismatches, "files": len(staged)}


def _load_database(kind: str, database: Path) -> None:
    if kind == "sqlite":
        name = settings.DATABASES["default"]["NAME"]
        connections.close_all()
        source = sqlite3.connect(database)
        target = sqlite3.connect(name)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    env, args = _pg_env_and_args()
    connections.close_all()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *args,
          str(database)], env)  # fmt: skip
