"""Create (or rotate) the SM2 signing keys of the issuing bodies, outside the database.

manage.py sm2_keys              # a key for every department and hall that has none
manage.py sm2_keys --rotate dept12   # a new key for one body; its old public key is kept for checks
"""

from django.core.management.base import BaseCommand

from hall import sm2
from hall.models import Department, Hall


class Command(BaseCommand):
    help = "为各出具机关生成 SM2 签名密钥（保存在数据库之外，默认 var/keys/sm2）。"

    def add_arguments(self, parser):
        parser.add_argument("--rotate", metavar="ISSUER", help="为该机关（如 dept12、hall3）更换密钥")

    def handle(self, *args, rotate=None, **options):
        if rotate:
            data = sm2.issuer_key_create(rotate, rotate=True)
            self.stdout.write(f"{rotate}: 新密钥版本 {data['version']}，公钥 04{data['public']}")
            return
        made = 0
        keys = [f"dept{pk}" for pk in Department.objects.values_list("pk", flat=True)]
        keys += [f"hall{pk}" for pk in Hall.objects.values_list("pk", flat=True)]
        for key in keys:
            if sm2.issuer_key_load(key) is None:
                sm2.issuer_key_create(key)
                made += 1
        self.stdout.write(f"SM2 签名密钥：新建 {made} 个，目录 {sm2.key_dir()}")
