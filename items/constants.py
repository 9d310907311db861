"""Codes of the item catalogue (DOMAIN.md §2; GB/T 39046-2020 table 4 and appendix A).

National codes are stored as they are: provinces renumber some of them, and a regional code is
mapped separately where needed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

BASE_CODE_MAX = 10
IMPLEMENTATION_CODE_MAX = 24
BUSINESS_CODE_MAX = 33
ITEM_NAME_MAX = 200


class ItemType(models.TextChoices):
    """事项类型 (GB/T 39046 A.1)."""

    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    COERCION = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class ExerciseLevel(models.IntegerChoices):
    """行使层级."""

    NATIONAL = 1, _("国家级")
    PROVINCIAL = 2, _("省级")
    CITY = 3, _("市级")
    COUNTY = 4, _("县级")
    TOWN = 5, _("镇（乡、街道）级")
    VILLAGE = 6, _("村（社区）级")
    TIERED = 7, _("分级管理")


class BodyNature(models.TextChoices):
    """实施主体性质."""

    STATUTORY = "1", _("法定机关")
    AUTHORISED = "2", _("授权组织")
    ENTRUSTED = "3", _("受委托组织")
    OTHER = "9", _("其他")


class CaseKind(models.TextChoices):
    """办件类型: national codes 1 即办件, 2 承诺件."""

    INSTANT = "instant", _("即办件")
    PROMISED = "promised", _("承诺件")


CASE_KIND_NATIONAL_CODE = {CaseKind.INSTANT: "1", CaseKind.PROMISED: "2"}


class LimitUnit(models.TextChoices):
    """办结时限单位. Cases count working days; the unit is printed on the guide."""

    WORKING_DAY = "working_day", _("工作日")
    NATURAL_DAY = "natural_day", _("自然日")


class SpecialProcedure(models.TextChoices):
    """特别程序 (time not counted, 行政许可法 Art. 45) or extension."""

    NONE = "", _("无")
    EXTENSION = "1", _("延长审批")
    OTHER = "2", _("其他（听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审等）")


class ServiceObject(models.TextChoices):
    """服务对象 (several may apply; stored as comma-separated codes)."""

    PERSON = "1", _("自然人")
    ENTERPRISE = "2", _("企业法人")
    INSTITUTION = "3", _("事业法人")
    SOCIAL_ORG = "4", _("社会组织法人")
    GOVERNMENT = "5", _("行政机关")
    OTHER = "6", _("其他组织")


class Audience(models.TextChoices):
    """Who a theme or life event is for: the catalogue is browsed separately by persons and enterprises."""

    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("法人")


class HandlingForm(models.TextChoices):
    """办理形式 (several may apply; stored as comma-separated codes)."""

    WINDOW = "1", _("窗口办理")
    ONLINE_PC = "2", _("网上办理")
    MOBILE = "3", _("掌上办理")
    POST = "4", _("快递申请")
    OTHER = "9", _("其他")


class CrossAreaScope(models.TextChoices):
    """通办范围: how far from the owning county an application may be received."""

    NONE = "none", _("不通办（仅属地办理）")
    CROSS_COUNTY = "cross_county", _("全市通办（跨县）")
    CROSS_CITY = "cross_city", _("全省通办（跨市）")
    CROSS_PROVINCE = "cross_province", _("跨省通办")
    NATIONWIDE = "nationwide", _("全国通办")


class CrossAreaMode(models.TextChoices):
    """What a receiving hall of another county may do (收受分离 vs. 异地受理)."""

    RECEIVE_FORWARD = "receive_forward", _("异地代收代办（收件后转属地部门受理）")
    ACCEPT = "accept", _("异地可直接受理")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    LEGAL_REVIEW = "legal_review", _("合法性审查")
    CATALOGUE_REVIEW = "catalogue_review", _("目录审核")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被替代")


class ChangeKind(models.TextChoices):
    """动态调整 (seed 003): what a change does to the catalogue."""

    ADD = "add", _("新增事项")
    CANCEL = "cancel", _("取消事项")
    DELEGATE = "delegate", _("下放事项")
    TRANSFER = "transfer", _("划转事项")
    CHANGE = "change", _("变更要素")


class ChangeCause(models.TextChoices):
    LAW_REVISED = "law_revised", _("法律法规立改废释")
    FUNCTION_CHANGED = "function_changed", _("机构职能调整")
    REFORM = "reform", _("“放管服”改革要求")
    STANDARDISATION = "standardisation", _("标准化梳理")
    CORRECTION = "correction", _("纠正错误")
    OTHER = "other", _("其他原因（须在说明中写明）")


class ChangeAction(models.TextChoices):
    """One step of a change, as recorded in its log."""

    FILED = "filed", _("起草")
    SUBMITTED = "submitted", _("提交合法性审查")
    LEGAL_APPROVED = "legal_approved", _("合法性审查通过")
    CATALOGUE_APPROVED = "catalogue_approved", _("目录审核通过并发布")
    RETURNED = "returned", _("退回修改")


class MaterialType(models.TextChoices):
    """材料类型."""

    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    ORIGINAL_AND_COPY = "original_and_copy", _("原件和复印件")
    ELECTRONIC = "electronic", _("电子件")


class MaterialForm(models.TextChoices):
    """材料形式."""

    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质或电子")


class MaterialSource(models.TextChoices):
    """来源渠道."""

    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")
    THIRD_PARTY = "third_party", _("其他第三方机构出具")


# Working-day limits of a change (DOMAIN.md §2, seed 003).
FILE_WITHIN_WORKING_DAYS = 10
LEGAL_REVIEW_WORKING_DAYS = 5
CATALOGUE_REVIEW_WORKING_DAYS = 5

# Catch-all material names the seeds forbid (no 兜底条款).
CATCH_ALL_MATERIAL_WORDS = (
    "其他材料",
    "其它材料",
    "有关材料",
    "相关材料",
    "等材料",
    "其他相关",
    "其它相关",
    "其他有关",
    "其它有关",
    "其他必要",
    "其它必要",
    "要求的其他",
    "认为需要",
    "规定的其他",
)
CATCH_ALL_MATERIAL_NAMES = ("其他", "其它", "等", "其他证明", "其他文件", "其他资料")


class DeliveryMethod(models.TextChoices):
    """送达方式 (行政许可法 Art. 44; DOMAIN.md §5a): how the applicant receives the result."""

    PICKUP = "pickup", _("窗口领取")
    POST = "post", _("邮政寄递")
    ELECTRONIC = "electronic", _("电子送达")


class RetentionPeriod(models.TextChoices):
    """保管期限 of the case file (国家档案局令第8号), set per item."""

    PERMANENT = "permanent", _("永久")
    YEARS_30 = "y30", _("定期30年")
    YEARS_10 = "y10", _("定期10年")
