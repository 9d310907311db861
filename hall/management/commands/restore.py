"""Restore the database and every stored file from a backup folder (hall/backup.py, docs/deploy.md).
Stop the web and worker processes first: the database and the files are replaced.

manage.py restore --from /srv/backup/tongban-2026-11-30 [--noinput]
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hall.backup import backup_read, backup_restore


class Command(BaseCommand):
    help = "从备份目录恢复数据库和全部存储文件（先核对备份清单；会覆盖当前数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--from", required=True, dest="source", metavar="DIR", help="manage.py backup 写出的目录")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="不询问，直接恢复"
        )

    def handle(self, *args, source: str, interactive: bool = True, **options):
        folder = Path(source)
        try:
            manifest = backup_read(folder)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        target = settings.DATABASES["default"]["NAME"]
        if interactive:
            if not sys.stdin.isatty():
                raise CommandError("恢复会覆盖当前数据库和文件：无人确认时请加 --noinput。")
            answer = input(f"用 {manifest['created_at']} 的备份覆盖数据库 {target} 和全部存储文件？输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何恢复。")
        try:
            summary = backup_restore(folder=folder, log=self.stdout.write, manifest=manifest)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except OSError as error:
            raise CommandError(f"恢复中断：{error.strerror or error}（{getattr(error, 'filename', '')}）。") from None
        self.stdout.write(
            f"恢复完成：数据库 {target}，文件 {summary.files} 个。请运行 manage.py verify_documents 核对文书。"
        )
