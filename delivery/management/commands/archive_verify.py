"""Verify a sealed archive package against its manifest: `manage.py archive_verify <case number | path>`.

With a case number, the stored package is read and its whole-package hash is compared with the archive
record too; with a path, the zip at that path is checked against the manifest inside it. Every altered,
missing or extra file is named; the exit status is 1 when anything is wrong."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from delivery.models import ArchivePackage
from delivery.services import package_verify


class Command(BaseCommand):
    help = "Verify an archive package (by case number or zip path) against its SHA-256 manifest."

    def add_arguments(self, parser):
        parser.add_argument("target", help="办件编号或归档包文件路径")

    def handle(self, *args, target: str, **options):
        package = ArchivePackage.objects.filter(case__number=target.strip().upper()).first()
        if package is not None:
            try:
                with package.file.open("rb") as handle:
                    content = handle.read()
            except FileNotFoundError as exc:
                raise CommandError(f"归档包文件不存在：{package.file.name}") from exc
            problems = package_verify(content, expected_sha256=package.sha256)
            label = f"{target}（{package.file.name}）"
        else:
            path = Path(target)
            if not path.is_file():
                raise CommandError(f"没有编号为 {target} 的归档包，也没有这个文件。")
            content = path.read_bytes()
            stored = ArchivePackage.objects.filter(file=str(path.name)).first()
            problems = package_verify(content, expected_sha256=stored.sha256 if stored else None)
            label = str(path)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"归档包 {label} 校验未通过：{len(problems)} 处问题。")
        self.stdout.write(f"归档包 {label} 校验通过：清单中的每个文件与 SHA-256 一致。")
