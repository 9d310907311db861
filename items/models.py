"""The item catalogue (DOMAIN.md §2): base items, each county's implementation, its versioned
service guide with materials and steps, the changes that produce versions, and bundles.

A published `ItemVersion` never changes: an edit is a new draft copied from it, reviewed twice and
published in its place (the old one becomes superseded). A case points at the version it was
applied under, so what the applicant was told stays readable.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hall.constants import WindowCategory
from hall.models import Department, Hall, Region

from .constants import (
    BUSINESS_CODE_MAX,
    ITEM_NAME_MAX,
    Audience,
    BodyNature,
    CaseKind,
    ChangeAction,
    ChangeCause,
    ChangeKind,
    CrossAreaMode,
    CrossAreaScope,
    DeliveryMethod,
    ExerciseLevel,
    HandlingForm,
    ItemType,
    LimitUnit,
    MaterialForm,
    MaterialSource,
    MaterialType,
    RetentionPeriod,
    ServiceObject,
    SpecialProcedure,
    VersionState,
)
from .validators import (
    validate_base_code,
    validate_business_code,
    validate_implementation_code,
    validate_material_name,
)


def _staff(verbose_name: str, *, optional: bool = True) -> models.ForeignKey:
    """A staff member who did one step of a change."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=optional,
        blank=optional,
        on_delete=models.PROTECT,
        related_name="+",
    )


def _codes_display(codes: str, choices) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(code, code)) for code in (codes or "").split(",") if code]


class Theme(models.Model):
    """服务主题 (e.g. 婚育收养, 开办企业), separate lists for persons and enterprises."""

    name = models.CharField(_("主题名称"), max_length=40)
    audience = models.CharField(_("面向"), max_length=20, choices=Audience.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["audience", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "audience"], name="theme_unique_name_audience")]
        verbose_name = verbose_name_plural = _("服务主题")

    def __str__(self) -> str:
        return self.name


class LifeEvent(models.Model):
    """人生事件 / 企业生命周期 stage (出生, 就业, 开办企业, 注销企业 ...)."""

    name = models.CharField(_("事件名称"), max_length=40)
    audience = models.CharField(_("面向"), max_length=20, choices=Audience.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["audience", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "audience"], name="lifeevent_unique_name_audience")]
        verbose_name = verbose_name_plural = _("人生事件")

    def __str__(self) -> str:
        return self.name


class BaseItem(models.Model):
    """The national or provincial definition of an item (基本目录), implemented by each county."""

    base_code = models.CharField(
        _("基本编码"),
        max_length=10,
        unique=True,
        validators=[validate_base_code],
        help_text=_("基本目录编码，不超过10位"),
    )
    name = models.CharField(_("事项名称"), max_length=ITEM_NAME_MAX)
    item_type = models.CharField(
        _("事项类型"), max_length=2, choices=ItemType.choices, help_text=_("GB/T 39046 附录A.1")
    )
    legal_basis = models.TextField(_("设定依据"), blank=True, help_text=_("法律、法规、规章的名称及条款"))

    class Meta:
        ordering = ["base_code"]
        verbose_name = verbose_name_plural = _("基本目录事项")

    def __str__(self) -> str:
        return f"{self.name}（{self.base_code}）"


class Item(models.Model):
    """One county's implementation of a base item (实施清单): the stable identity cases point to
    through their version. The owning department decides applications."""

    implementation_code = models.CharField(
        _("实施编码"),
        max_length=24,
        unique=True,
        validators=[validate_implementation_code],
        help_text=_("实施清单编码，不超过24位"),
    )
    base_item = models.ForeignKey(
        BaseItem, verbose_name=_("基本目录事项"), on_delete=models.PROTECT, related_name="implementations"
    )
    region = models.ForeignKey(Region, verbose_name=_("实施区划"), on_delete=models.PROTECT, related_name="items")
    department = models.ForeignKey(
        Department,
        verbose_name=_("实施主体"),
        on_delete=models.PROTECT,
        related_name="items",
        help_text=_("作出决定的部门（名称及统一社会信用代码）"),
    )
    current_version = models.ForeignKey(
        "ItemVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("申请人据以申请的已发布版本；未发布或已取消时为空"),
    )
    cancelled_on = models.DateField(_("取消日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["implementation_code"]
        verbose_name = verbose_name_plural = _("实施清单事项")

    def __str__(self) -> str:
        name = self.current_version.name if self.current_version_id else self.base_item.name
        return f"{name}（{self.implementation_code}）"


class ItemVersion(models.Model):
    """One version of an item's service guide: every element of GB/T 39046 table 4."""

    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    state = models.CharField(
        _("状态"), max_length=20, choices=VersionState.choices, default=VersionState.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("替代时间"), null=True, blank=True)

    # Identity and classification
    name = models.CharField(_("事项名称"), max_length=ITEM_NAME_MAX)
    business_code = models.CharField(
        _("业务办理项编码"), max_length=BUSINESS_CODE_MAX, blank=True, validators=[validate_business_code]
    )
    keywords = models.CharField(_("关键词"), max_length=200, blank=True, help_text=_("以空格分隔，帮助群众搜索"))
    legal_basis = models.TextField(_("设定依据"), help_text=_("法律、法规、规章的名称及具体条款"))
    exercise_level = models.PositiveSmallIntegerField(
        _("行使层级"), choices=ExerciseLevel.choices, default=ExerciseLevel.COUNTY
    )
    power_division = models.TextField(_("权限划分"), blank=True)
    exercise_content = models.TextField(_("行使内容"), blank=True)

    # Bodies
    department = models.ForeignKey(
        Department,
        verbose_name=_("实施主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("本版本的实施主体；下放、划转后新版本写承接部门，旧版本保持原样"),
    )
    body_nature = models.CharField(
        _("实施主体性质"), max_length=1, choices=BodyNature.choices, default=BodyNature.STATUTORY
    )
    joint_departments = models.CharField(_("共同实施部门"), max_length=200, blank=True)
    handling_unit = models.CharField(_("承办机构"), max_length=100, blank=True, help_text=_("具体承办的内设机构"))
    entrusting_department = models.CharField(_("委托部门"), max_length=100, blank=True)

    # Time
    case_kind = models.CharField(_("办件类型"), max_length=10, choices=CaseKind.choices, default=CaseKind.PROMISED)
    limit_unit = models.CharField(
        _("时限单位"),
        max_length=20,
        choices=LimitUnit.choices,
        default=LimitUnit.WORKING_DAY,
        help_text=_("法定办结时限、承诺办结时限和可延长时限的单位"),
    )
    statutory_days = models.PositiveSmallIntegerField(_("法定办结时限"), help_text=_("工作日；即办件填0"))
    statutory_note = models.CharField(_("法定时限说明"), max_length=200, blank=True)
    promised_days = models.PositiveSmallIntegerField(
        _("承诺办结时限"), help_text=_("工作日，不得超过法定办结时限；即办件填0")
    )
    promised_note = models.CharField(_("承诺时限说明"), max_length=200, blank=True)
    intake_days = models.PositiveSmallIntegerField(
        _("受理审查时限"),
        default=5,
        help_text=_("收到申请材料后作出是否受理决定的期限（行政许可法第三十二条：5个工作日）"),
    )
    intake_unit = models.CharField(
        _("受理审查时限单位"), max_length=20, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAY
    )
    delivery_days = models.PositiveSmallIntegerField(
        _("送达时限"), default=10, help_text=_("作出准予决定后颁发、送达证件的期限（行政许可法第四十四条：10个工作日）")
    )
    delivery_unit = models.CharField(
        _("送达时限单位"), max_length=20, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAY
    )
    extension_max_days = models.PositiveSmallIntegerField(
        _("可延长时限"),
        default=10,
        help_text=_("法律允许延长的最长期限，单位同办结时限（行政许可法第四十二条：10个工作日）；不得延长的填0"),
    )
    extension_basis = models.CharField(
        _("延长时限依据"), max_length=200, default="《中华人民共和国行政许可法》第四十二条第一款", blank=True
    )
    special_procedure_kinds = models.JSONField(
        _("本事项法律规定的其他特别程序"),
        default=list,
        blank=True,
        help_text=_(
            '行政许可法第四十五条所列之外、本事项适用的法律另行规定的特别程序：[{"name": 名称, "basis": 法律及条款}]'
        ),
    )
    commitment_allowed = models.BooleanField(
        _("实行告知承诺制"),
        default=False,
        help_text=_("申请人书面承诺符合条件的，以承诺代替所列证明材料，当场作出决定"),
    )
    commitment_text = models.TextField(
        _("告知承诺书内容"), blank=True, help_text=_("告知申请人的条件、标准和不实承诺的后果")
    )
    commitment_check_days = models.PositiveSmallIntegerField(
        _("事后核查期限"), default=0, help_text=_("准予决定后，实施部门完成核查的工作日数")
    )
    commitment_basis = models.CharField(_("告知承诺制依据"), max_length=200, blank=True)
    yellow_threshold_days = models.PositiveSmallIntegerField(
        _("黄灯预警阈值"), null=True, blank=True, help_text=_("剩余工作日不多于此数时亮黄灯；留空按1个工作日")
    )
    visits_required = models.PositiveSmallIntegerField(_("到办事现场次数"), default=1, help_text=_("0表示无需到现场"))
    special_procedure = models.CharField(
        _("特别程序"), max_length=1, choices=SpecialProcedure.choices, blank=True, default=SpecialProcedure.NONE
    )
    special_procedure_note = models.CharField(_("特别程序说明"), max_length=300, blank=True)

    # Conditions and process
    acceptance_conditions = models.TextField(_("受理条件"))
    process_description = models.TextField(_("办理流程说明"), blank=True)
    intermediary_services = models.CharField(_("中介服务"), max_length=300, blank=True, help_text=_("无则留空"))
    quantity_limit = models.CharField(_("数量限制"), max_length=300, blank=True, help_text=_("无则留空"))

    # Result and fees
    result_name = models.CharField(_("审批结果名称"), max_length=200)
    result_sample = models.FileField(_("审批结果样本"), upload_to="items/results/%Y/", blank=True)
    charges_fee = models.BooleanField(_("是否收费"), default=False)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    fee_standard = models.TextField(_("收费标准"), blank=True)

    # Audience
    service_objects = models.CharField(
        _("服务对象"), max_length=20, default=ServiceObject.PERSON, help_text=_("国标代码，以逗号分隔，如“1,2”")
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("服务主题"), blank=True, related_name="versions")
    life_events = models.ManyToManyField(LifeEvent, verbose_name=_("人生事件"), blank=True, related_name="versions")

    # Handling
    handling_forms = models.CharField(
        _("办理形式"), max_length=20, default=HandlingForm.WINDOW, help_text=_("国标代码，以逗号分隔，如“1,2”")
    )
    online_application = models.BooleanField(_("是否网办"), default=False, help_text=_("可在本网站在线申请"))
    appointment = models.BooleanField(_("支持预约办理"), default=False)
    online_payment = models.BooleanField(_("支持网上支付"), default=False)
    express_delivery = models.BooleanField(_("支持物流快递"), default=False)
    delivery_methods = models.CharField(
        _("结果送达方式"),
        max_length=40,
        default="pickup,post,electronic",
        help_text=_("申请人可选的送达方式，以逗号分隔：pickup 窗口领取，post 邮政寄递，electronic 电子送达"),
    )
    retention_period = models.CharField(
        _("档案保管期限"),
        max_length=12,
        choices=RetentionPeriod.choices,
        default=RetentionPeriod.YEARS_30,
        help_text=_("办结归档后的保管期限（国家档案局令第8号）"),
    )
    cross_area_scope = models.CharField(
        _("通办范围"), max_length=20, choices=CrossAreaScope.choices, default=CrossAreaScope.NONE
    )
    cross_area_mode = models.CharField(
        _("异地办理方式"),
        max_length=20,
        choices=CrossAreaMode.choices,
        default=CrossAreaMode.RECEIVE_FORWARD,
        help_text=_("其他县区的大厅收件后：只能代收转交属地部门，还是可以直接受理"),
    )
    receivable_halls = models.ManyToManyField(
        Hall, verbose_name=_("可受理大厅"), blank=True, related_name="receivable_versions"
    )
    hall_modes = models.JSONField(
        _("各大厅异地办理方式"),
        default=dict,
        blank=True,
        help_text=_("其他县区的可受理大厅各自的方式：{大厅编码: accept 或 receive_forward}；未列出的按“异地办理方式”"),
    )

    # Practical
    window_category = models.CharField(
        _("窗口类别"),
        max_length=20,
        choices=WindowCategory.choices,
        blank=True,
        help_text=_("在大厅哪一类综合窗口收件：取号、叫号和窗口收件按它分流"),
    )
    handling_location = models.TextField(_("办理地点"), blank=True)
    handling_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    consultation = models.TextField(_("咨询方式"), blank=True)
    complaint = models.TextField(_("监督投诉方式"), blank=True)
    faq = models.TextField(_("常见问题"), blank=True, help_text=_("每个问答之间空一行"))

    # Search, filled when the version is published
    pinyin_initials = models.CharField(_("拼音首字母"), max_length=ITEM_NAME_MAX, blank=True, editable=False)
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="itemversion_unique_number"),
            models.CheckConstraint(
                condition=Q(promised_days__lte=F("statutory_days")),
                name="itemversion_promised_within_statutory",
                violation_error_message="承诺办结时限不得超过法定办结时限。",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state__in=["draft", "legal_review", "catalogue_review"]),
                name="itemversion_one_open_draft",
                violation_error_message="该事项已有一个正在办理的调整，请先完成或退回它。",
            ),
        ]
        verbose_name = verbose_name_plural = _("办事指南版本")

    def __str__(self) -> str:
        return f"{self.name} v{self.number}（{self.get_state_display()}）"

    @property
    def implementing_department(self) -> Department:
        return self.department if self.department_id else self.item.department

    def mode_for(self, hall: Hall) -> str:
        """How `hall` handles an application under this version: "" in the owning county (the owner),
        else its entry in `hall_modes`, else `cross_area_mode` (CrossAreaMode values)."""
        if hall.region_id == self.item.region_id:
            return ""
        mode = (self.hall_modes or {}).get(hall.code) or self.cross_area_mode
        return mode if mode in CrossAreaMode.values else CrossAreaMode.RECEIVE_FORWARD

    @property
    def is_published(self) -> bool:
        return self.state == VersionState.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.state == VersionState.DRAFT

    @property
    def service_object_labels(self) -> list[str]:
        return _codes_display(self.service_objects, ServiceObject.choices)

    @property
    def handling_form_labels(self) -> list[str]:
        return _codes_display(self.handling_forms, HandlingForm.choices)

    @property
    def delivery_method_codes(self) -> list[str]:
        """The delivery methods this item allows, in the order of DeliveryMethod."""
        allowed = {code.strip() for code in (self.delivery_methods or "").split(",")}
        return [code for code in DeliveryMethod.values if code in allowed] or [DeliveryMethod.PICKUP]

    @property
    def delivery_method_labels(self) -> list[str]:
        return [str(DeliveryMethod(code).label) for code in self.delivery_method_codes]

    @property
    def for_person(self) -> bool:
        return ServiceObject.PERSON in (self.service_objects or "").split(",")

    @property
    def for_enterprise(self) -> bool:
        return ServiceObject.ENTERPRISE in (self.service_objects or "").split(",")


class ProcessStep(models.Model):
    """One step of 办理流程, drawn as a box of the flow chart."""

    version = models.ForeignKey(ItemVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("环节名称"), max_length=40)
    handler = models.CharField(_("办理人员（岗位）"), max_length=60, blank=True)
    time_limit = models.CharField(_("环节时限"), max_length=40, blank=True, help_text=_("如“1个工作日”“即时”"))
    description = models.TextField(_("办理标准"), blank=True)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = verbose_name_plural = _("办理环节")

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """申请材料: one document the applicant submits, with every per-material element."""

    version = models.ForeignKey(ItemVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("材料名称"), max_length=200, validators=[validate_material_name])
    material_type = models.CharField(
        _("材料类型"), max_length=20, choices=MaterialType.choices, default=MaterialType.ORIGINAL
    )
    material_form = models.CharField(
        _("材料形式"), max_length=20, choices=MaterialForm.choices, default=MaterialForm.BOTH
    )
    original_copies = models.PositiveSmallIntegerField(_("原件份数"), default=1)
    copy_copies = models.PositiveSmallIntegerField(_("复印件份数"), default=0)
    paper_spec = models.CharField(_("纸质规格"), max_length=40, blank=True, default="A4")
    mandatory = models.BooleanField(_("是否必备"), default=True, help_text=_("不必备的材料写明在什么情形下提交"))
    source_channel = models.CharField(
        _("来源渠道"), max_length=20, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    source_note = models.CharField(_("来源渠道说明"), max_length=200, blank=True)
    issuing_body = models.CharField(_("出具机构"), max_length=100, blank=True)
    blank_form = models.FileField(_("空白表格"), upload_to="items/forms/%Y/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="items/samples/%Y/", blank=True)
    filling_notes = models.TextField(_("填报须知"), blank=True)
    acceptance_standard = models.TextField(_("受理标准"), blank=True)
    basis = models.TextField(_("要求提供材料的依据"), help_text=_("法律、法规、规章或规范性文件的名称及条款"))
    deferrable = models.BooleanField(_("可容缺"), default=False, help_text=_("可先受理、在承诺期限内补交"))
    commitment_replaceable = models.BooleanField(
        _("可以承诺代替"), default=False, help_text=_("实行告知承诺制时，申请人签署承诺书即无需提交本证明材料")
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.name

    @property
    def copies_display(self) -> str:
        parts = []
        if self.original_copies:
            parts.append(gettext("原件%(n)s份") % {"n": self.original_copies})
        if self.copy_copies:
            parts.append(gettext("复印件%(n)s份") % {"n": self.copy_copies})
        return gettext("，").join(parts) or "—"


class ItemChange(models.Model):
    """A change to the catalogue (动态调整, seed 003): what, why, and who did each step when.

    The change owns the version it produces. Limits: filed within 10 working days of the cause,
    legal review within 5, catalogue review within 5 (shown, not enforced: late work is still done).
    """

    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="changes")
    version = models.OneToOneField(
        ItemVersion, verbose_name=_("产生的版本"), on_delete=models.PROTECT, related_name="change"
    )
    kind = models.CharField(_("调整类型"), max_length=20, choices=ChangeKind.choices)
    cause = models.CharField(_("调整原因"), max_length=30, choices=ChangeCause.choices)
    cause_note = models.TextField(_("原因说明"), help_text=_("如修订的法规名称、文号和条款，或职能调整的文件"))
    cause_date = models.DateField(_("原因发生日期"), help_text=_("如法规施行日、职能调整文件印发日"))
    target_department = models.ForeignKey(
        Department,
        verbose_name=_("承接部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("下放或划转事项时，承接该事项的部门"),
    )
    filed_by = _staff("起草人", optional=False)
    filed_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    submitted_by = _staff("提交人")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    legal_reviewer = _staff("合法性审查人")
    legal_reviewed_at = models.DateTimeField(_("合法性审查时间"), null=True, blank=True)
    catalogue_reviewer = _staff("目录审核人")
    catalogue_reviewed_at = models.DateTimeField(_("目录审核时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = verbose_name_plural = _("事项调整")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.version.name}"


class ChangeEvent(models.Model):
    """Append-only log of a change: each step, each send-back with its reason."""

    change = models.ForeignKey(ItemChange, verbose_name=_("调整"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=30, choices=ChangeAction.choices)
    actor = _staff("操作人", optional=False)
    from_state = models.CharField(_("原状态"), max_length=20, choices=VersionState.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=VersionState.choices)
    note = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = _("调整记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.actor}"


class Bundle(models.Model):
    """一件事一次办: several items of one life event applied for together."""

    name = models.CharField(_("一件事名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="bundles")
    life_event = models.ForeignKey(
        LifeEvent, verbose_name=_("人生事件"), null=True, blank=True, on_delete=models.SET_NULL, related_name="bundles"
    )
    items = models.ManyToManyField(Item, verbose_name=_("包含事项"), related_name="bundles")
    is_published = models.BooleanField(_("已发布"), default=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = verbose_name_plural = _("一件事")

    def __str__(self) -> str:
        return self.name
