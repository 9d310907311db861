"""Cases (办件): the application, its materials, its audit trail and the documents issued on it.

The state field is protected: it changes only through the transitions below, and only the services in
cases/services run them (each in one transaction with its event, notices and documents). The
ConcurrentTransitionMixin makes the UPDATE conditional on the state read, so two clerks accepting the
same case cannot both succeed (the second gets django_fsm.ConcurrentTransition).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from hall.fields import BlindIndexField, EncryptedCharField, EncryptedJSONField
from hall.models.security import AppendOnlyModel, ImmutableError  # noqa: F401 - re-exported for cases
from items.constants import CrossAreaMode

from .. import permissions
from ..constants import (
    DECISION_QUEUE_STATES,
    INTAKE_QUEUE_STATES,
    RESULT_QUEUE_STATES,
    RUNNING_LEVELS,
    WITHDRAWABLE_STATES,
    CaseState,
    Channel,
    DefectKind,
    DeliveryMethod,
    DocumentKind,
    EventKind,
    ExtensionState,
    SpecialProcedureKind,
    WarningLevel,
)


class NumberCounter(models.Model):
    """A named sequence (case numbers per hall per day, document numbers per department per year).
    Read and incremented under SELECT … FOR UPDATE by cases.numbering."""

    key = models.CharField(_("序列"), max_length=80, unique=True)
    value = models.PositiveIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


# Pure conditions of the transitions: they read the case only, never the database.
def is_single_item(case) -> bool:
    return case.item_version_id is not None


def is_bundle_parent_case(case) -> bool:
    return case.bundle_id is not None and case.item_version_id is None


def nothing_deferred_outstanding(case) -> bool:
    return case.deferred_due is None


class Case(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(
        _("办件编号"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("大厅编码 + 年月日(yyMMdd) + 5位当日流水号，提交时编号"),
    )
    state = FSMField(_("状态"), choices=CaseState.choices, default=CaseState.DRAFT, protected=True, db_index=True)
    channel = models.CharField(_("申请方式"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases"
    )
    enterprise = models.ForeignKey(
        "hall.Enterprise",
        verbose_name=_("申请单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("法人申请时的企业；申请人账号为其经办人"),
    )
    applicant_name = models.CharField(
        _("申请人名称"), max_length=200, db_index=True, help_text=_("自然人姓名或企业名称（申请时记录，供检索）")
    )
    agent_name = models.CharField(_("代理人姓名"), max_length=50, blank=True, help_text=_("委托他人代办时填写"))
    # Personal data at rest: SM4-encrypted (hall/fields.py); the agent's ID number found by its blind index.
    agent_id_number = EncryptedCharField(_("代理人身份证号"), max_length=18, blank=True)
    agent_id_number_index = BlindIndexField(_("代理人身份证号盲索引"), source="agent_id_number")
    item_version = models.ForeignKey(
        "items.ItemVersion",
        verbose_name=_("事项版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("申请时适用的办事指南版本；一件事的主办件为空"),
    )
    bundle = models.ForeignKey(
        "items.Bundle", verbose_name=_("一件事"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("一件事主办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    receiving_hall = models.ForeignKey(
        "hall.Hall", verbose_name=_("收件大厅"), on_delete=models.PROTECT, related_name="received_cases"
    )
    handed_to_hall = models.ForeignKey(
        "hall.Hall",
        verbose_name=_("移交大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handed_cases",
        help_text=_("异地代收后移交属地受理的大厅"),
    )
    # Cross-county hand-off (全市通办, DOMAIN.md §4); the movements are in cases.models.handoff.
    cross_area_mode = models.CharField(
        _("异地办理方式"),
        max_length=20,
        choices=CrossAreaMode.choices,
        blank=True,
        help_text=_("收件大厅不在属地时，按事项对该大厅的规定：代收转交，或代为受理；属地收件为空"),
    )
    custodian_hall = models.ForeignKey(
        "hall.Hall",
        verbose_name=_("案卷持有大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("现在持有办件电子案卷、负责下一步的大厅（异地收件时）"),
    )
    handoff_due = models.DateField(
        _("移交期限"), null=True, blank=True, help_text=_("转交、寄递或结果寄回中最早未完成的期限")
    )
    ticket = models.ForeignKey(
        "hall.Ticket",
        verbose_name=_("排队号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        help_text=_("窗口收件时群众所持的排队号"),
    )
    owning_department = models.ForeignKey(
        "hall.Department",
        verbose_name=_("实施部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("作出决定的属地部门"),
    )
    form_data = EncryptedJSONField(_("申请表内容"), default=dict, blank=True)
    # The result's way to the applicant (行政许可法 Art. 44), chosen at application, changeable until produced.
    delivery_method = models.CharField(
        _("送达方式"), max_length=12, choices=DeliveryMethod.choices, blank=True, help_text=_("空表示到收件大厅领取")
    )
    delivery_hall = models.ForeignKey(
        "hall.Hall",
        verbose_name=_("领取大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delivery_cases",
        help_text=_("窗口领取时的大厅（全市任一大厅）；邮寄时为寄出结果的大厅"),
    )
    delivery_address = EncryptedCharField(_("邮寄地址"), max_length=200, blank=True)
    delivery_recipient = models.CharField(_("收件人"), max_length=50, blank=True)
    delivery_mobile = EncryptedCharField(_("收件人手机号"), max_length=20, blank=True)
    identity_checked = models.BooleanField(_("已核验身份"), default=False, help_text=_("窗口人员已查验申请人身份证件"))
    undertaking = models.TextField(_("容缺承诺"), blank=True, help_text=_("申请人签署的容缺承诺书内容"))
    undertaking_signed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    outcome_reasons = models.TextField(_("理由"), blank=True, help_text=_("不予受理或不予许可的理由"))
    accepted_by_law = models.BooleanField(
        _("依法视为受理"),
        default=False,
        help_text=_("受理审查期限内未作决定，依行政许可法第三十二条自收到申请材料之日起即为受理"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    last_material_on = models.DateField(_("材料补齐日"), null=True, blank=True, help_text=_("最后一份补正材料到达之日"))

    # The clock (computed by cases.clock.case_clock_recompute from the dates below).
    received_at = models.DateTimeField(_("收件时间"), null=True, blank=True, db_index=True)
    intake_due = models.DateField(_("受理审查期限"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    decision_due = models.DateField(_("办结期限"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    delivery_due = models.DateField(_("送达期限"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("特别程序天数"), default=0, help_text=_("不计入办理时限的工作日"))
    extension_days = models.PositiveIntegerField(_("延期天数"), default=0, help_text=_("经批准延长的工作日"))
    supplement_due = models.DateField(_("补正期限"), null=True, blank=True)
    deferred_due = models.DateField(_("容缺材料期限"), null=True, blank=True)
    # No index of its own: running levels are read through case_clock_scope / case_clock_level_due below,
    # which hold nothing else (a plain index misleads the planner into reading every overdue row).
    warning_level = models.CharField(_("预警"), max_length=10, choices=WarningLevel.choices, default=WarningLevel.NONE)
    next_due = models.DateField(_("最近期限"), null=True, blank=True, db_index=True, help_text=_("最早的未到期期限"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["state", "next_due"], name="case_state_next_due"),
            models.Index(fields=["state", "created_at"], name="case_state_created"),
            models.Index(fields=["item_version", "state"], name="case_item_state"),
            # Name prefix search (LIKE '王%') on PostgreSQL whatever the database collation; ignored elsewhere.
            models.Index(
                fields=["applicant_name"], name="case_applicant_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
            # Each queue reads its open work through an index holding only that work, in the order the
            # page shows it (DESIGN.md "Lists at a city's volume"): the cost follows open work, not history.
            models.Index(
                fields=["receiving_hall", "received_at", "id"],
                condition=Q(state__in=INTAKE_QUEUE_STATES),
                name="case_intake_queue_hall",
            ),
            models.Index(
                fields=["handed_to_hall", "received_at", "id"],
                condition=Q(state__in=INTAKE_QUEUE_STATES),
                name="case_intake_queue_handed",
            ),
            # The window's queue is "received at or handed to my hall" (an OR no single ordered index
            # serves): walking the city's open intake work in order and keeping this hall's rows reads
            # at most the open work, where the plain received_at index would read the history first.
            models.Index(
                fields=["received_at", "id"],
                condition=Q(state__in=INTAKE_QUEUE_STATES),
                name="case_intake_queue_received",
            ),
            models.Index(
                fields=["owning_department", "received_at", "id"],
                condition=Q(state__in=DECISION_QUEUE_STATES),
                name="case_decision_queue_dept",
            ),
            # Decided cases whose result the department produces next (制证出件), in due order.
            models.Index(
                fields=["owning_department", "next_due", "id"],
                condition=Q(state__in=RESULT_QUEUE_STATES),
                name="case_result_queue_dept",
            ),
            # A workbench filtered to one state (e.g. archived) reads only that state's rows of its hall.
            models.Index(fields=["receiving_hall", "state", "received_at"], name="case_hall_state_received"),
            models.Index(fields=["owning_department", "state", "received_at"], name="case_dept_state_received"),
            # 我的办事: one index per way a case is the citizen's (applicant; enterprise agent), newest first.
            models.Index(
                fields=["applicant", "-created_at"], condition=Q(parent__isnull=True), name="case_mine_applicant"
            ),
            models.Index(
                fields=["enterprise", "-created_at"], condition=Q(parent__isnull=True), name="case_mine_enterprise"
            ),
            # Supervision: running clocks only; figures from an index-only scan, the list in due order.
            models.Index(
                fields=["receiving_hall", "owning_department", "handed_to_hall", "warning_level"],
                condition=Q(warning_level__in=RUNNING_LEVELS),
                name="case_clock_scope",
            ),
            models.Index(
                fields=["warning_level", "next_due", "id"],
                include=["receiving_hall", "owning_department", "handed_to_hall"],
                condition=Q(warning_level__in=RUNNING_LEVELS),
                name="case_clock_level_due",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"草稿#{self.pk}"

    @property
    def title(self) -> str:
        if self.item_version_id:
            return self.item_version.name
        if self.bundle_id:
            return self.bundle.name
        return ""

    @property
    def is_bundle_parent(self) -> bool:
        return is_bundle_parent_case(self)

    # The state machine (DESIGN.md). Transitions change the case's own fields only.
    @transition(field=state, source=CaseState.DRAFT, target=CaseState.SUBMITTED, permission=permissions.can_submit)
    def submit(self):
        pass

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.ACCEPTED,
        conditions=[is_single_item],
        permission=permissions.can_review_intake,
    )
    def accept(self):
        pass

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.ACCEPTED,
        conditions=[is_single_item],
        permission=permissions.can_review_intake,
    )
    def accept_with_deferral(self):
        pass

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.ACCEPTED,
        conditions=[is_single_item],
        permission=permissions.system_only,
    )
    def accept_by_law(self):
        """Art. 32: no decision within the intake limit, so the application stands accepted on receipt."""

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.ACCEPTED,
        conditions=[is_single_item],
        permission=permissions.system_only,
    )
    def accept_on_commitment(self):
        """告知承诺制: the signed commitment completes the application; decided on the spot."""

    @transition(
        field=state,
        source=CaseState.ACCEPTED,
        target=CaseState.APPROVED,
        conditions=[is_single_item],
        permission=permissions.system_only,
    )
    def grant_on_commitment(self):
        pass

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.SUPPLEMENT_REQUESTED,
        conditions=[is_single_item],
        permission=permissions.can_review_intake,
    )
    def request_supplement(self):
        pass

    @transition(
        field=state,
        source=CaseState.SUPPLEMENT_REQUESTED,
        target=CaseState.SUBMITTED,
        permission=permissions.can_supplement,
    )
    def supplement(self):
        pass

    @transition(
        field=state,
        source=[CaseState.SUBMITTED, CaseState.SUPPLEMENT_REQUESTED],
        target=CaseState.REJECTED,
        conditions=[is_single_item],
        permission=permissions.can_review_intake,
    )
    def refuse(self):
        pass

    @transition(
        field=state, source=WITHDRAWABLE_STATES, target=CaseState.WITHDRAWN, permission=permissions.can_withdraw
    )
    def withdraw(self):
        pass

    @transition(
        field=state,
        source=CaseState.ACCEPTED,
        target=CaseState.APPROVED,
        conditions=[is_single_item, nothing_deferred_outstanding],
        permission=permissions.can_decide,
    )
    def grant(self):
        pass

    @transition(
        field=state,
        source=CaseState.ACCEPTED,
        target=CaseState.DENIED,
        conditions=[is_single_item],
        permission=permissions.can_decide,
    )
    def deny(self):
        pass

    @transition(
        field=state,
        source=CaseState.ACCEPTED,
        target=CaseState.SUSPENDED,
        conditions=[is_single_item],
        permission=permissions.can_decide,
    )
    def suspend(self):
        pass

    @transition(field=state, source=CaseState.SUSPENDED, target=CaseState.ACCEPTED, permission=permissions.can_decide)
    def resume(self):
        pass

    @transition(
        field=state,
        source=[CaseState.APPROVED, CaseState.DENIED],
        target=CaseState.DELIVERED,
        permission=permissions.can_deliver,
    )
    def deliver(self):
        pass

    @transition(field=state, source=CaseState.DELIVERED, target=CaseState.ARCHIVED, permission=permissions.can_archive)
    def archive(self):
        pass

    @transition(
        field=state,
        source="*",
        target=RETURN_VALUE(*CaseState.values),
        conditions=[is_bundle_parent_case],
        permission=permissions.system_only,
    )
    def follow_children(self, new_state: str) -> str:
        return new_state


class SubmittedMaterial(models.Model):
    """One file the applicant handed in, and which material of the guide it satisfies."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "items.Material",
        verbose_name=_("对应指南材料"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text=_("空表示指南之外的补充说明材料"),
    )
    file = models.FileField(_("文件"), upload_to="materials/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64)
    originals_seen = models.BooleanField(_("已核验原件"), default=False, help_text=_("窗口人员已查看纸质原件"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    superseded = models.BooleanField(_("已被替换"), default=False, help_text=_("补正后由新文件取代"))
    certificate_number = models.CharField(
        _("电子证照编号"),
        max_length=40,
        blank=True,
        help_text=_("非空表示由政府部门从电子证照库提供，申请人无需提交"),
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.original_name


class DeferredMaterial(models.Model):
    """A material accepted as deferred (容缺): promised by the applicant by `due`."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="deferred_materials")
    material = models.ForeignKey(
        "items.Material", verbose_name=_("容缺材料"), on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField(_("补齐期限"))
    received_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "material"], name="deferred_material_once")]
        verbose_name = verbose_name_plural = _("容缺材料")

    def __str__(self) -> str:
        return f"{self.case} · {self.material}"


class SupplementRequest(models.Model):
    """One 一次性告知: everything missing or defective, in one notice, with a deadline."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="supplement_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("告知人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("告知时间"), auto_now_add=True)
    due = models.DateField(_("补正期限"))
    note = models.TextField(_("说明"), blank=True)
    fulfilled_at = models.DateTimeField(_("补正时间"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = verbose_name_plural = _("补正告知")

    def __str__(self) -> str:
        return f"{self.case} 补正告知"


class SupplementItem(models.Model):
    request = models.ForeignKey(
        SupplementRequest, verbose_name=_("补正告知"), on_delete=models.CASCADE, related_name="items"
    )
    material = models.ForeignKey(
        "items.Material", verbose_name=_("指南材料"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("材料名称"), max_length=200)
    defect = models.CharField(_("问题"), max_length=10, choices=DefectKind.choices)
    reason = models.TextField(_("原因及要求"))

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = _("补正事项")

    def __str__(self) -> str:
        return self.name


class SpecialProcedure(models.Model):
    """A special procedure (行政许可法 Art. 45): the clock does not run from started_on to ended_on."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField(_("程序"), max_length=20, choices=SpecialProcedureKind.choices)
    reason = models.TextField(_("理由"))
    name = models.CharField(
        _("程序名称"), max_length=60, blank=True, help_text=_("其他法律规定的特别程序：法律使用的名称")
    )
    basis = models.CharField(_("法律依据"), max_length=200, blank=True, help_text=_("法律名称及条款"))
    expected_days = models.PositiveIntegerField(_("预计所需工作日"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("启动人"), on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["started_on", "pk"]
        verbose_name = verbose_name_plural = _("特别程序")

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"


class ExtensionRequest(models.Model):
    """One extension of the decision limit (Art. 42): within the item's cap, once, approved by the head of
    the deciding agency (机关负责人)."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="extension_requests")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("理由"))
    basis = models.CharField(_("法律依据"), max_length=200, blank=True, help_text=_("允许延长及其上限的法律条款"))
    state = models.CharField(_("状态"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=~Q(state=ExtensionState.REFUSED), name="extension_once_per_case"
            ),
            # The cap is the item's (ItemVersion.extension_max_days), checked by case_request_extension.
            models.CheckConstraint(condition=Q(days__gte=1), name="extension_at_least_1_day"),
        ]

    def __str__(self) -> str:
        return f"{self.case} 延期{self.days}个工作日"


def _verification_token() -> str:
    return secrets.token_urlsafe(24)


class Document(AppendOnlyModel):
    """An issued PDF notice. Never regenerated in place: a correction is a new Document that supersedes."""

    number = models.CharField(_("文书编号"), max_length=60, unique=True)
    kind = models.CharField(_("文书类型"), max_length=20, choices=DocumentKind.choices)
    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("标题"), max_length=60)
    issuer_name = models.CharField(_("出具机关"), max_length=100)
    issued_on = models.DateField(_("出具日期"))
    issued_at = models.DateTimeField(_("出具时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("文件"), upload_to="documents/%Y/%m/")
    sha256 = models.CharField("SHA-256", max_length=64)
    # 国密 (GB/T 39786-2021): the SM3 digest of the file and the issuing body's SM2 signature over it.
    sm3 = models.CharField("SM3", max_length=64, blank=True)
    signature = models.CharField(_("SM2签名"), max_length=128, blank=True, help_text=_("r‖s，十六进制；空表示未签名"))
    signature_key = models.CharField(
        _("签名密钥"),
        max_length=80,
        blank=True,
        help_text=_("出具机关的签名密钥编号（机关:版本），公钥保存在数据库之外"),
    )
    token = models.CharField(_("核验码"), max_length=40, unique=True, default=_verification_token)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = verbose_name_plural = _("文书")

    def __str__(self) -> str:
        return f"{self.title} {self.number}"


class CaseEvent(AppendOnlyModel):
    """The append-only audit trail: every transition and every change of materials."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, blank=True)
    hall = models.ForeignKey(
        "hall.Hall", verbose_name=_("大厅"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(_("原状态"), max_length=30, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, choices=CaseState.choices, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    changes = EncryptedJSONField(_("变更内容"), default=dict, blank=True, help_text=_("材料变更等：变更前后的值"))
    document = models.ForeignKey(
        Document, verbose_name=_("文书"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = verbose_name_plural = _("办件日志")
        indexes = [
            # "Is the result produced / the grant revoked?" for the cases to produce (制证出件): a small
            # index of those events only, instead of reading every event of each decided case.
            models.Index(
                fields=["case"],
                condition=Q(kind__in=[EventKind.RESULT_PRODUCED, EventKind.GRANT_REVOKED]),
                name="event_result_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"
