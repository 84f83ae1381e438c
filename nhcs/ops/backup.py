"""Backup and restore: the database and the uploaded files in one archive, with SHA-256 checksums.

The archive (a tar file) holds
- `manifest.json`: when, from which database engine, and the size and SHA-256 of every other member;
- `database.dump`: `pg_dump --format=custom` on PostgreSQL, or `database.sqlite3`, a consistent copy of the
  SQLite file (SQLite's online backup);
- `media/…`: every file under MEDIA_ROOT (attachments, kept exports).

Restore reads the manifest first and checks every member against it (no member missing, none added, every
checksum equal) before it touches anything; a damaged or changed archive is refused with the names of the
members that differ. Then the database is replaced (pg_restore in one transaction on PostgreSQL: a failure
leaves the database as it was) and MEDIA_ROOT is replaced by the archive's files.
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
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class ArchiveRefused(Exception):
    """The archive cannot be restored (damaged, changed, or not an NHCS backup); nothing was changed."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _database(using: str = "default") -> dict:
    return connections[using].settings_dict


def _is_postgres(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def _pg_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} exited {done.returncode}: {done.stderr.strip()[-2000:]}")


def _dump_database(target: Path, using: str = "default") -> str:
    db = _database(using)
    if _is_postgres(using):
        path = target / "database.dump"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path), db["NAME"]],
            _pg_env(db),
        )
        return path.name
    path = target / "database.sqlite3"
    source = sqlite3.connect(str(db["NAME"]))
    try:
        copy = sqlite3.connect(str(path))
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()
    return path.name


def default_archive_path() -> Path:
    return Path(settings.VAR_DIR) / "backups" / f"nhcs-{timezone.localtime():%Y%m%d-%H%M%S}.tar"


@dataclass
class Summary:
    path: Path
    files: int
    bytes: int


def backup(*, output: Path | None = None, using: str = "default") -> Summary:
    """Write the archive (to `output`, or var/backups/nhcs-<time>.tar). The archive is written beside its
    final name and renamed when complete."""
    output = Path(output or default_archive_path())
    output.parent.mkdir(parents=True, exist_ok=True)
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="nhcs-backup-", dir=output.parent) as work:
        work_dir = Path(work)
        members: dict[str, Path] = {}
        name = _dump_database(work_dir, using)
        members[name] = work_dir / name
        if media.is_dir():
            # Files being written (an export's ".part") are not part of the state to keep.
            files = (p for p in media.rglob("*") if p.is_file() and not p.is_symlink() and p.suffix != ".part")
            for path in sorted(files):
                members["media/" + path.relative_to(media).as_posix()] = path
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": connections[using].vendor, "member": name},
            "files": {arc: {"size": p.stat().st_size, "sha256": sha256_of(p)} for arc, p in members.items()},
        }
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for arc, path in members.items():
                tar.add(str(path), arcname=arc, recursive=False)
        os.replace(partial, output)
    return Summary(output, len(members), output.stat().st_size)


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def verify(archive: Path, into: Path) -> dict:
    """Check the archive against its manifest, extracting it into `into`. Returns the manifest; raises
    ArchiveRefused with every difference found."""
    try:
        tar = tarfile.open(archive, "r")
    except (OSError, tarfile.TarError) as error:
        raise ArchiveRefused(f"{archive} is not a readable backup archive ({error}).") from error
    with tar:
        try:
            raw = tar.extractfile(MANIFEST)
            manifest = json.loads(raw.read()) if raw else None
        except (KeyError, ValueError, tarfile.TarError) as error:
            raise ArchiveRefused(f"{archive} has no readable {MANIFEST}: it is not an NHCS backup.") from error
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or "files" not in manifest:
            raise ArchiveRefused(f"{archive}: unknown manifest format.")
        expected: dict = manifest["files"]
        problems: list[str] = []
        seen: set[str] = set()
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not _safe_name(member.name):
                problems.append(f"{member.name}: not a plain file of a backup")
                continue
            if member.name not in expected:
                problems.append(f"{member.name}: not in the manifest")
                continue
            seen.add(member.name)
            target = into / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            with tar.extractfile(member) as source, open(target, "wb") as out:
                for block in iter(lambda: source.read(CHUNK), b""):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
            if digest.hexdigest() != expected[member.name]["sha256"] or size != expected[member.name]["size"]:
                problems.append(f"{member.name}: checksum differs from the manifest")
        problems += [f"{name}: missing from the archive" for name in sorted(set(expected) - seen)]
    if problems:
        raise ArchiveRefused(
            "The archive was damaged or changed after the backup; nothing was restored.\n  " + "\n  ".join(problems)
        )
    vendor = manifest.get("database", {}).get("vendor")
    if vendor != connections["default"].vendor:
        raise ArchiveRefused(
            f"The archive holds a {vendor} database; this installation uses {connections['default'].vendor}."
        )
    return manifest


def _restore_database(dump: Path, using: str = "default") -> None:
    db = _database(using)
    connections[using].close()
    if _is_postgres(using):
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                db["NAME"],
                str(dump),
            ],
            _pg_env(db),
        )
        return
    source = sqlite3.connect(str(dump))
    try:
        target = sqlite3.connect(str(db["NAME"]))
        with target:
            source.backup(target)
        target.close()
    finally:
        source.close()


def _replace_media(extracted: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".restore-", dir=media.parent))
    if extracted.is_dir():
        shutil.copytree(extracted, staged, dirs_exist_ok=True)
    old = media.with_name(media.name + ".before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if media.exists():
        os.replace(media, old)
    os.replace(staged, media)
    shutil.rmtree(old, ignore_errors=True)


def restore(*, archive: Path, using: str = "default") -> dict:
    """Verify the archive, then replace the database and MEDIA_ROOT with its content."""
    archive = Path(archive)
    work_parent = Path(settings.MEDIA_ROOT).parent
    work_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".nhcs-restore-", dir=work_parent) as work:
        work_dir = Path(work)
        manifest = verify(archive, work_dir)
        _restore_database(work_dir / manifest["database"]["member"], using)
        _replace_media(work_dir / "media")
    return manifest
