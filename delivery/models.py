"""Results, certificates, delivery and the archive (DOMAIN.md §3 steps 4-5, §5a).

- Certificate: the e-certificate library (电子证照), one row per issued licence or certificate, kept per
  holder with its GB/T 36903 metadata and state.
- ResultHandover: the back office hands produced results to a hall's result window; signed on both
  sides (who handed, who received, when, how many).
- DeliveryOrder: one per case the applicant follows (a bundle's parent for a 一件事, so that all its
  results go out together): the way chosen, where the result is, the post's tracking, the clock.
- DeliveryProof: 送达回证, written once.
- ArchivePackage: the sealed archive information package (GB/T 42727), written once, never rebuilt.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import AppendOnlyModel
from hall.fields import BlindIndexField, EncryptedCharField
from items.constants import DeliveryMethod, RetentionPeriod

from .constants import OPEN_ORDER_STATES, Carrier, CertificateState, HolderKind, OrderState, PostOutcome, RecipientKind


class Certificate(models.Model):
    number = models.CharField(_("证照编号"), max_length=40, unique=True)
    type_name = models.CharField(_("证照类型名称"), max_length=200, help_text=_("即事项的审批结果名称"))
    type_code = models.CharField(_("证照类型代码"), max_length=40, blank=True, help_text=_("GB/T 36902 证照类型代码"))
    holder_name = models.CharField(_("持证主体"), max_length=200)
    # Personal data at rest: a holder's ID number is SM4-encrypted (hall/fields.py); certificate reuse at
    # application and 我的证照 find a holder's certificates through the SM3-HMAC blind index beside it.
    holder_code = EncryptedCharField(_("持证主体代码"), max_length=18, help_text=_("身份证号码或统一社会信用代码"))
    holder_code_index = BlindIndexField(_("持证主体代码盲索引"), source="holder_code")
    holder_kind = models.CharField(_("持证主体代码类型"), max_length=12, choices=HolderKind.choices)
    issuer_name = models.CharField(_("发证机关"), max_length=100)
    issuer_code = models.CharField(_("发证机关统一社会信用代码"), max_length=18, blank=True)
    issued_on = models.DateField(_("发证日期"))
    valid_from = models.DateField(_("有效期起始"))
    valid_until = models.DateField(_("有效期截止"), null=True, blank=True, help_text=_("空表示长期有效"))
    scope = models.TextField(_("许可内容"), blank=True, help_text=_("证面记载的许可范围或内容"))
    state = models.CharField(
        _("证照状态"), max_length=12, choices=CertificateState.choices, default=CertificateState.VALID
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("来源办件"), on_delete=models.PROTECT, related_name="certificates"
    )
    document = models.OneToOneField(
        "cases.Document", verbose_name=_("证照文件"), on_delete=models.PROTECT, related_name="certificate"
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("替代的证照"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = verbose_name_plural = _("电子证照")
        indexes = [
            models.Index(fields=["holder_code_index", "state", "type_name"], name="certificate_holder_state"),
        ]

    def __str__(self) -> str:
        return f"{self.type_name} {self.number}"


class ResultHandover(models.Model):
    """One hand-over of produced results from a department to a hall's result window (签收交接)."""

    department = models.ForeignKey(
        "hall.Department", verbose_name=_("移交部门"), on_delete=models.PROTECT, related_name="result_handovers"
    )
    hall = models.ForeignKey(
        "hall.Hall", verbose_name=_("接收大厅"), on_delete=models.PROTECT, related_name="result_handovers"
    )
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("移交人"), on_delete=models.PROTECT, related_name="+"
    )
    handed_by_signature = models.CharField(_("移交人签名"), max_length=50)
    handed_at = models.DateTimeField(_("移交时间"), auto_now_add=True)
    count = models.PositiveIntegerField(_("移交件数"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_by_signature = models.CharField(_("接收人签名"), max_length=50, blank=True)
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    received_count = models.PositiveIntegerField(_("清点件数"), null=True, blank=True)

    class Meta:
        ordering = ["-handed_at", "-pk"]
        verbose_name = verbose_name_plural = _("出件交接")
        indexes = [
            models.Index(fields=["hall", "handed_at"], name="handover_open", condition=Q(received_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.hall} {self.count}"


class DeliveryOrder(models.Model):
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="delivery_order"
    )
    method = models.CharField(_("送达方式"), max_length=12, choices=DeliveryMethod.choices)
    hall = models.ForeignKey(
        "hall.Hall",
        verbose_name=_("出件大厅"),
        on_delete=models.PROTECT,
        related_name="delivery_orders",
        help_text=_("领取或寄出结果的大厅"),
    )
    # Personal data at rest: SM4-encrypted (hall/fields.py).
    address = EncryptedCharField(_("邮寄地址"), max_length=200, blank=True)
    recipient = models.CharField(_("收件人"), max_length=50, blank=True)
    mobile = EncryptedCharField(_("收件人手机号"), max_length=20, blank=True)
    state = models.CharField(_("出件状态"), max_length=12, choices=OrderState.choices, default=OrderState.PRODUCED)
    produced_at = models.DateTimeField(_("制证时间"), auto_now_add=True)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制证人"), on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField(
        _("送达期限"), null=True, blank=True, help_text=_("决定之日起10个工作日（行政许可法第四十四条）")
    )
    handover = models.ForeignKey(
        ResultHandover,
        verbose_name=_("交接记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    carrier = models.CharField(_("寄递企业"), max_length=10, choices=Carrier.choices, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=20, blank=True)
    posted_at = models.DateTimeField(_("寄出时间"), null=True, blank=True)
    post_outcome = models.CharField(_("投递结果"), max_length=10, choices=PostOutcome.choices, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    notice = models.ForeignKey(
        "hall.Notice",
        verbose_name=_("送达通知"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("电子送达：通知已读即视为送达"),
    )
    first_downloaded_at = models.DateTimeField(_("首次下载时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = verbose_name_plural = _("送达单")
        indexes = [
            # The result window's open work, per hall, most urgent first; delivered orders are left out.
            models.Index(
                fields=["hall", "state", "due", "id"],
                name="delivery_order_open",
                condition=Q(state__in=OPEN_ORDER_STATES),
            ),
            models.Index(fields=["state"], name="delivery_order_electronic", condition=Q(state=OrderState.AVAILABLE)),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_state_display()}"


class DeliveryProof(AppendOnlyModel):
    """送达回证 (DOMAIN.md §5a): the document, the recipient, the place and way, who delivered, the
    recipient's signature and date, and an agent's authority."""

    order = models.OneToOneField(
        DeliveryOrder, verbose_name=_("送达单"), on_delete=models.PROTECT, related_name="proof"
    )
    method = models.CharField(_("送达方式"), max_length=12, choices=DeliveryMethod.choices)
    place = EncryptedCharField(_("送达地点"), max_length=200)
    recipient_kind = models.CharField(_("签收人身份"), max_length=10, choices=RecipientKind.choices)
    recipient_name = models.CharField(_("签收人"), max_length=50)
    recipient_id_number = EncryptedCharField(_("签收人证件号码"), max_length=18, blank=True)
    identity_checked = models.BooleanField(_("已核验身份"), default=False)
    agent_authority = models.CharField(_("代理权限"), max_length=200, blank=True, help_text=_("授权委托书等"))
    signature = models.CharField(_("签名"), max_length=50, blank=True, help_text=_("签收人当面签署的姓名"))
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("送达人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("送达时间"))
    document = models.OneToOneField(
        "cases.Document", verbose_name=_("送达回证"), on_delete=models.PROTECT, related_name="delivery_proof"
    )

    class Meta:
        verbose_name = verbose_name_plural = _("送达回证")

    def __str__(self) -> str:
        return f"{self.order.case} {self.recipient_name}"


class ArchivePackage(AppendOnlyModel):
    """归档信息包: a zip of every file of the case with manifest.json (SHA-256 per file) and the hash of the
    whole zip, stored once. The row and the file are never rewritten; archive_verify checks them."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="archive_package"
    )
    file = models.FileField(_("归档包"), upload_to="archive/%Y/")
    manifest = models.JSONField(_("清单"), help_text=_("文件名 → SHA-256"))
    sha256 = models.CharField(_("归档包校验值"), max_length=64)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    year = models.PositiveSmallIntegerField(_("归档年度"))
    item = models.ForeignKey(
        "items.Item", verbose_name=_("事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item_name = models.CharField(_("事项名称"), max_length=200)
    hall = models.ForeignKey(
        "hall.Hall",
        verbose_name=_("收件大厅"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("按大厅归口管理"),
    )
    retention = models.CharField(_("保管期限"), max_length=12, choices=RetentionPeriod.choices)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("归档人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("归档时间"), auto_now_add=True)

    class Meta:
        ordering = ["-archived_at", "-pk"]
        verbose_name = verbose_name_plural = _("归档信息包")
        indexes = [
            models.Index(fields=["hall", "year", "retention", "id"], name="archive_hall_year"),
            # The archive list, newest first per hall: a page reads its 25 rows, not the hall's history.
            models.Index(fields=["hall", "-archived_at", "-id"], name="archive_hall_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.year}"
