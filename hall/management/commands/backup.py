"""Back up the database and every stored file into a new folder (hall/backup.py, docs/deploy.md).

manage.py backup --to /srv/backup/tongban-2026-11-30
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hall.backup import backup_write


class Command(BaseCommand):
    help = "备份数据库（pg_dump -Fc）和全部存储文件（MEDIA_ROOT 或 S3 存储桶）到一个新目录，附 SHA-256 清单。"

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, metavar="DIR", help="备份目录：不存在或为空")

    def handle(self, *args, to: str, **options):
        try:
            summary = backup_write(folder=Path(to), log=self.stdout.write)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except OSError as error:
            raise CommandError(f"无法写入备份目录 {to}：{error.strerror or error}。") from None
        self.stdout.write(
            f"备份完成：{summary.folder}（数据库 {summary.database_bytes} 字节，文件 {summary.files} 个 "
            f"{summary.file_bytes} 字节）。数据密钥和 SM2 签名密钥不在备份中，请另行保管。"
        )
