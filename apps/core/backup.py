"""Backup and restore of the database and the uploaded media in one archive
(`make backup`, `make restore FILE=...`; docs/operations.md).

SQLite is copied with its online backup API (consistent while the app runs, WAL included);
PostgreSQL with `pg_dump -Fc` and restored with `pg_restore --clean`. The archive is a
.tar.gz holding manifest.json, the database file or dump, and media/.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

DB_SQLITE = "database.sqlite3"
DB_PG = "database.pgdump"


def _db(alias: str = "default") -> dict:
    return connections[alias].settings_dict


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def backup_create(*, output: Path | None = None, alias: str = "default") -> Path:
    db = _db(alias)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    output = Path(output or settings.VAR_DIR / "backups" / f"backoffice-{stamp}.tar.gz")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if connections[alias].vendor == "sqlite":
            source = sqlite3.connect(db["NAME"])
            target = sqlite3.connect(work / DB_SQLITE)
            with target:
                source.backup(target)
            source.close()
            target.close()
            database = DB_SQLITE
        else:
            args, env = _pg_env(db)
            subprocess.run(
                ["pg_dump", "-Fc", *args, "-f", str(work / DB_PG), db["NAME"]], env=env, check=True
            )
            database = DB_PG
        manifest = {
            "created": timezone.now().isoformat(),
            "vendor": connections[alias].vendor,
            "database": database,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        with tarfile.open(output, "w:gz") as archive:
            archive.add(work / "manifest.json", arcname="manifest.json")
            archive.add(work / database, arcname=database)
            for folder, arcname in _file_folders():
                if folder.exists():
                    archive.add(folder, arcname=arcname)
    return output


def _file_folders() -> list[tuple[Path, str]]:
    """Uploaded media and the private documents (issued PDFs, report files)."""
    return [
        (Path(settings.MEDIA_ROOT), "media"),
        (Path(settings.STORAGES["private"]["OPTIONS"]["location"]), "private"),
    ]


def backup_restore(*, archive_path: Path, alias: str = "default") -> dict:
    """Replace the database and the media with the archive's. Stop the app first."""
    db = _db(alias)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        vendor = connections[alias].vendor
        if manifest["vendor"] != vendor:
            raise ValueError(f"This backup is of a {manifest['vendor']} database, not {vendor}.")
        connections[alias].close()
        if vendor == "sqlite":
            source = sqlite3.connect(work / DB_SQLITE)
            target = sqlite3.connect(db["NAME"])
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            args, env = _pg_env(db)
            subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    "-d",
                    db["NAME"],
                    str(work / DB_PG),
                ],
                env=env,
                check=True,
            )
        for folder, arcname in _file_folders():
            if folder.exists():
                shutil.rmtree(folder)
            if (work / arcname).exists():
                shutil.copytree(work / arcname, folder)
            else:
                folder.mkdir(parents=True, exist_ok=True)
    return manifest
