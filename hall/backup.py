"""Backup and restore of the portal's state: the database and every stored file (docs/deploy.md "Backup
and restore"). `manage.py backup --to DIR` and `manage.py restore --from DIR` call these.

A backup is one folder:

    manifest.json    when it was taken, the database engine, and every file's name, size and SHA-256
    database.dump    pg_dump's custom format (PostgreSQL), or database.sqlite3 (SQLite's online backup)
    files/<name>     every file of the media storage (MEDIA_ROOT or the S3 bucket), under its stored name

1. The database is dumped first, then the files copied: issued documents, materials and archive packages
   are never rewritten, so every file the dump refers to is there when the copy is taken (a file stored
   in between is a harmless extra).
2. Restore checks the whole backup against its manifest before it changes anything, then restores the
   database (pg_restore --clean in one transaction: all or nothing) and writes every file back under its
   own name, replacing what is there.
The personal-data keys and SM2 signing keys are not in a backup: they are kept apart (docs/security.md),
and a restored database is readable only with the keys it was written with.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections
from django.utils import timezone

FORMAT = "tongban-backup/1"
MANIFEST = "manifest.json"
FILES = "files"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    engine: str
    database_bytes: int
    files: int
    file_bytes: int


def _noop(message: str) -> None:
    pass


# ---- stored files ------------------------------------------------------------------------------------


def stored_names(storage=None, folder: str = "") -> Iterator[str]:
    """Every file name in the storage (MEDIA_ROOT or the bucket), depth first, sorted."""
    storage = storage or default_storage
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # an empty MEDIA_ROOT that was never created
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from stored_names(storage, f"{folder}/{directory}" if folder else directory)


def copy_hashing(source, target) -> tuple[int, str]:
    """Copy one open file to another in chunks; return (bytes, SHA-256)."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def files_copy(target: Path) -> dict[str, dict]:
    """Copy every stored file into the folder `target` under its stored name; return name → size, SHA-256."""
    files = {}
    for name in stored_names():
        local = target / name
        local.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, local.open("wb") as copy:
            size, sha256 = copy_hashing(source, copy)
        files[name] = {"size": size, "sha256": sha256}
    return files


def files_restore(source: Path, files: dict[str, dict]) -> None:
    """Write each named file from the folder `source` into the storage under the same name, replacing
    a file of that name."""
    for name in files:
        if default_storage.exists(name):
            default_storage.delete(name)
        with (source / name).open("rb") as handle:
            stored = default_storage.save(name, File(handle, name=name))
        if stored != name:
            raise ValidationError(f"文件 {name} 写回后名称变为 {stored}：存储不接受原名。")


# ---- the database ------------------------------------------------------------------------------------


def database_engine() -> str:
    vendor = connections["default"].vendor
    if vendor not in DUMPS:
        raise ValidationError(f"不支持备份 {vendor} 数据库（只支持 PostgreSQL 和 SQLite）。")
    return vendor


def _pg_command(program: str, *args: str) -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    if shutil.which(program) is None:
        raise ValidationError(f"找不到 {program}：请安装 postgresql-client（与数据库服务器同一大版本）。")
    command = [program, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return [*command, *args, "--dbname", str(db["NAME"])], env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ValidationError(f"{command[0]} 失败（退出码 {result.returncode}）：{' '.join(detail[-3:])}")


def database_dump(target: Path, engine: str) -> None:
    if engine == "postgresql":
        command, env = _pg_command("pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target))
        _run(command, env)
        return
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def database_restore(dump: Path, engine: str) -> None:
    connections.close_all()  # our own connections would hold locks on the tables being replaced
    if engine == "postgresql":
        options = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        command, env = _pg_command("pg_restore", *options)
        _run([*command, str(dump)], env)
        return
    source = sqlite3.connect(str(dump))
    target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


# ---- backup ------------------------------------------------------------------------------------------


def backup_write(*, folder: Path, log: Callable[[str], None] = _noop) -> BackupSummary:
    """Write a backup of the database and every stored file into `folder` (new or empty).

    1. Refuse a folder that holds anything (a backup is never mixed with another).
    2. Dump the database, then copy every stored file with its SHA-256.
    3. Write manifest.json last: a folder without it is an unfinished backup."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ValidationError(f"备份目录 {folder} 已存在且不是空目录：请指定一个新目录。")
    engine = database_engine()
    folder.mkdir(parents=True, exist_ok=True)
    dump = folder / DUMPS[engine]
    log(f"数据库（{engine}）→ {dump}")
    database_dump(dump, engine)
    files = files_copy(folder / FILES)
    total = sum(facts["size"] for facts in files.values())
    log(f"文件 {len(files)} 个（{total} 字节）→ {folder / FILES}")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"engine": engine, "file": dump.name, "size": dump.stat().st_size, "sha256": file_sha256(dump)},
        "storage": getattr(settings, "TONGBAN_STORAGE", "filesystem"),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return BackupSummary(folder, engine, dump.stat().st_size, len(files), total)


# ---- restore -----------------------------------------------------------------------------------------


def backup_read(folder: Path) -> dict:
    """The manifest of a backup folder, after checking the dump and every file against it. Raises
    ValidationError listing what is missing or altered; reads only."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(f"{folder} 不是备份目录（没有 {MANIFEST}，或备份没有完成）。") from None
    except (OSError, ValueError):
        raise ValidationError(f"{folder / MANIFEST} 无法读取或已损坏。") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValidationError(f"{folder / MANIFEST} 不是本系统的备份清单（格式应为 {FORMAT}）。")
    problems = []
    database = manifest.get("database") or {}
    dump = folder / str(database.get("file", ""))
    if not dump.is_file() or database.get("file") not in DUMPS.values():
        problems.append(f"缺少数据库备份 {database.get('file')}")
    elif file_sha256(dump) != database.get("sha256"):
        problems.append(f"数据库备份 {dump.name} 与清单不符")
    for name, facts in (manifest.get("files") or {}).items():
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts:
            problems.append(f"文件名不安全：{name}")
            continue
        local = folder / FILES / path
        if not local.is_file():
            problems.append(f"缺少文件 {name}")
        elif file_sha256(local) != facts.get("sha256"):
            problems.append(f"文件 {name} 与清单不符")
    if problems:
        shown = "；".join(problems[:10]) + ("……" if len(problems) > 10 else "")
        raise ValidationError(f"备份 {folder} 不完整，未做任何恢复：{len(problems)} 处问题（{shown}）。")
    return manifest


def backup_restore(*, folder: Path, log: Callable[[str], None] = _noop, manifest: dict | None = None) -> BackupSummary:
    """Restore the database and every file of the backup in `folder`, replacing what is there.

    1. Check the backup whole (backup_read) and that it is of this database's engine: nothing changes
       if anything is wrong.
    2. Restore the database (PostgreSQL: pg_restore --clean in a single transaction).
    3. Write every file back under its stored name (an existing file of that name is replaced)."""
    folder = Path(folder)
    manifest = manifest or backup_read(folder)  # the command has just read and checked it
    engine = database_engine()
    if manifest["database"]["engine"] != engine:
        raise ValidationError(
            f"备份来自 {manifest['database']['engine']} 数据库，当前数据库是 {engine}：未做任何恢复。"
        )
    dump = folder / manifest["database"]["file"]
    log(f"数据库（{engine}）← {dump}")
    database_restore(dump, engine)
    files_restore(folder / FILES, manifest["files"])
    total = sum(facts["size"] for facts in manifest["files"].values())
    log(f"文件 {len(manifest['files'])} 个（{total} 字节）已写回存储")
    return BackupSummary(folder, engine, dump.stat().st_size, len(manifest["files"]), total)
