"""Check every issued document's file against its SHA-256 (and SM3 where recorded) and every submitted
material against its SHA-256 (cases/integrity.py): counts, and each altered or missing file by name.
The exit status is 1 when anything is wrong. Archive packages: manage.py archive_verify.

manage.py verify_documents
"""

from django.core.management.base import BaseCommand, CommandError

from cases.integrity import stored_files_check


class Command(BaseCommand):
    help = "核对每份文书（SHA-256、SM3）和每份申请材料（SHA-256）的存储文件与记录是否一致。"

    def handle(self, *args, **options):
        results = stored_files_check()
        for result in results:
            self.stdout.write(
                f"{result.kind}：{result.checked} 份，一致 {result.matching}，"
                f"被改动 {len(result.altered)}，缺失 {len(result.missing)}"
            )
            for label in result.altered:
                self.stderr.write(f"  被改动：{label}")
            for label in result.missing:
                self.stderr.write(f"  缺失：{label}")
        wrong = sum(len(r.altered) + len(r.missing) for r in results)
        if wrong:
            raise CommandError(f"{wrong} 个文件与记录不符。")
        self.stdout.write("全部文件与记录一致。")
