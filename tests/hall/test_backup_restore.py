"""The restore drill (docs/deploy.md "Backup and restore"): cases with their issued documents are backed
up (`manage.py backup`), the database and the media folder are lost, a fresh database is restored from
the backup (`manage.py restore`), and every document's file still matches its SHA-256 and SM3
(`manage.py verify_documents`); a file altered after the restore is reported, and a second restore over
the damaged state mends it.

The restore runs in a throwaway database of its own (<test database>_drill, dropped afterwards) through
manage.py in a subprocess: the test database of the other tests is only read (pg_dump)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from cases import services
from cases.models import Document
from hall.backup import backup_read
from tests.cases.helpers import accepted_case, submitted_case

ROOT = Path(__file__).resolve().parents[2]


def _connect(dbname: str):
    import psycopg2

    db = connection.settings_dict
    return psycopg2.connect(
        dbname=dbname,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
    )


def _url(dbname: str) -> str:
    from urllib.parse import quote

    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    auth = f"{quote(db.get('USER') or 'postgres')}{password}@"
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{dbname}"


def _admin(sql: str) -> None:
    admin = _connect("postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql)
    finally:
        admin.close()


@pytest.fixture
def drill_database():
    """An empty database next to the test database, as on a machine that lost everything; dropped after."""
    if connection.vendor != "postgresql":
        pytest.skip("the restore drill runs pg_dump and pg_restore: it needs PostgreSQL (DATABASE_URL)")
    name = f"{connection.settings_dict['NAME']}_drill"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TONGBAN_SM2_KEY_DIR = str(tmp_path / "sm2")  # documents signed by keys of this test only
    return settings.MEDIA_ROOT


def manage(*args: str, database: str, media: Path, var: Path) -> subprocess.CompletedProcess:
    """manage.py in a process of its own, on the drill database and its own media folder."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TONGBAN_", "AWS_", "CELERY_", "CACHE_", "DJANGO_SETTINGS_MODULE"))
    }
    environment.update(
        DATABASE_URL=_url(database),
        TONGBAN_MEDIA_ROOT=str(media),
        TONGBAN_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="hall.settings",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _seed(cast) -> None:
    """Cases at several steps, each with the documents the law asks for there (receipt, acceptance,
    supplement notice)."""
    submitted_case(cast)
    accepted_case(cast)
    accepted_case(cast)
    case = submitted_case(cast)
    material = case.item_version.materials.get(name="申请人身份证明")
    services.case_request_supplement(
        case=case,
        actor=cast.clerk,
        items=[{"material": material, "name": material.name, "reason": "身份证已过期"}],
        due=timezone.localdate() + timedelta(days=7),
    )


@pytest.mark.django_db(transaction=True)  # the backup is taken by pg_dump: it sees committed rows only
def test_restore_drill(drill_database, cast, files, tmp_path):
    _seed(cast)
    recorded = {d.number: (d.sha256, d.sm3, d.file.name) for d in Document.objects.all()}
    assert len(recorded) >= 6
    backup = tmp_path / "backup"
    call_command("backup", "--to", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["engine"] == "postgresql"
    assert {name for _sha, _sm3, name in recorded.values()} <= set(manifest["files"])

    # The loss: the media folder is gone and the database to restore into is empty.
    shutil.rmtree(files)
    restored, var = tmp_path / "restored-media", tmp_path / "var"
    run = manage("restore", "--from", str(backup), "--noinput", database=drill_database, media=restored, var=var)
    assert run.returncode == 0, run.stderr
    assert "恢复完成" in run.stdout

    check = _connect(drill_database)
    try:
        with check.cursor() as cursor:
            cursor.execute("SELECT number, sha256, sm3, file FROM cases_document")
            rows = {number: (sha256, sm3, name) for number, sha256, sm3, name in cursor.fetchall()}
    finally:
        check.close()
    assert rows == recorded
    for sha256, _sm3, name in rows.values():
        assert hashlib.sha256((restored / name).read_bytes()).hexdigest() == sha256

    run = manage("verify_documents", database=drill_database, media=restored, var=var)
    assert run.returncode == 0, run.stderr
    total = len(recorded)
    assert f"文书：{total} 份，一致 {total}，被改动 0，缺失 0" in run.stdout

    # A document altered after the restore is named, and the exit status says so.
    number, (_sha, _sm3, name) = sorted(recorded.items())[0]
    with (restored / name).open("ab") as handle:
        handle.write(b"%altered")
    run = manage("verify_documents", database=drill_database, media=restored, var=var)
    assert run.returncode == 1
    assert "被改动 1" in run.stdout and number in run.stderr and name in run.stderr

    # Restored again over the damaged state (pg_restore --clean): whole again.
    run = manage("restore", "--from", str(backup), "--noinput", database=drill_database, media=restored, var=var)
    assert run.returncode == 0, run.stderr
    assert hashlib.sha256((restored / name).read_bytes()).hexdigest() == recorded[number][0]


def test_backup_into_a_folder_in_use_is_refused(tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "other.txt").write_text("x")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", "--to", str(folder))
    assert sorted(p.name for p in folder.iterdir()) == ["other.txt"]


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="不是备份目录"):
        call_command("restore", "--from", str(tmp_path), "--noinput")


def test_a_damaged_backup_is_refused_before_anything_changes(tmp_path):
    """backup_read checks the dump and every file against the manifest (it only reads)."""
    folder = tmp_path / "backup"
    (folder / "files" / "documents").mkdir(parents=True)
    dump = folder / "database.dump"
    dump.write_bytes(b"dump")
    (folder / "files" / "documents" / "a.pdf").write_bytes(b"%PDF-altered")
    manifest = {
        "format": "tongban-backup/1",
        "created_at": "2026-11-30T00:00:00+00:00",
        "database": {"engine": "postgresql", "file": dump.name, "sha256": hashlib.sha256(b"dump").hexdigest()},
        "storage": "filesystem",
        "files": {
            "documents/a.pdf": {"size": 4, "sha256": hashlib.sha256(b"%PDF").hexdigest()},
            "documents/b.pdf": {"size": 4, "sha256": hashlib.sha256(b"%PDF").hexdigest()},
            "../outside.pdf": {"size": 4, "sha256": hashlib.sha256(b"%PDF").hexdigest()},
        },
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        backup_read(folder)
    message = refused.value.messages[0]
    assert "3 处问题" in message and "documents/a.pdf 与清单不符" in message and "缺少文件 documents/b.pdf" in message
    assert "不安全" in message
    with pytest.raises(CommandError, match="未做任何恢复"):
        call_command("restore", "--from", str(folder), "--noinput")


def test_restore_asks_before_replacing_and_needs_noinput_without_a_terminal(tmp_path, monkeypatch):
    folder = tmp_path / "backup"
    (folder / "files").mkdir(parents=True)
    (folder / "database.dump").write_bytes(b"dump")
    manifest = {
        "format": "tongban-backup/1",
        "created_at": "2026-11-30T00:00:00+00:00",
        "database": {"engine": "postgresql", "file": "database.dump", "sha256": hashlib.sha256(b"dump").hexdigest()},
        "files": {},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    with pytest.raises(CommandError, match="--noinput"):
        call_command("restore", "--from", str(folder))
