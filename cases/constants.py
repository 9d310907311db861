"""Choices of the cases app, with the Chinese words the halls use (DESIGN.md, DOMAIN.md §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from items.constants import DeliveryMethod  # noqa: F401  (the application asks for it; one definition)


class CaseState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待受理")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补正")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    ACCEPTED = "accepted", _("已受理")
    SUSPENDED = "suspended", _("特别程序")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    DELIVERED = "delivered", _("已送达")
    ARCHIVED = "archived", _("已归档")


# States in which the applicant may still withdraw (before the decision).
WITHDRAWABLE_STATES = [
    CaseState.DRAFT,
    CaseState.SUBMITTED,
    CaseState.SUPPLEMENT_REQUESTED,
    CaseState.ACCEPTED,
    CaseState.SUSPENDED,
]
# States in which the application is with the hall for intake review.
INTAKE_STATES = [CaseState.SUBMITTED, CaseState.SUPPLEMENT_REQUESTED]
# States in which the department is deciding.
DECIDING_STATES = [CaseState.ACCEPTED, CaseState.SUSPENDED]
# States after which nothing more happens to the application itself.
CLOSED_STATES = [CaseState.REJECTED, CaseState.WITHDRAWN, CaseState.ARCHIVED]

# How far along a state is, used to let a bundle's parent follow its slowest live child.
STATE_PROGRESS = {
    CaseState.DRAFT: 0,
    CaseState.SUBMITTED: 1,
    CaseState.SUPPLEMENT_REQUESTED: 1,
    CaseState.ACCEPTED: 2,
    CaseState.SUSPENDED: 2,
    CaseState.APPROVED: 3,
    CaseState.DENIED: 3,
    CaseState.DELIVERED: 4,
    CaseState.ARCHIVED: 5,
}


class WarningLevel(models.TextChoices):
    NONE = "none", _("无")
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("临期")
    RED = "red", _("即将超期")
    OVERDUE = "overdue", _("已超期")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    COUNTER = "counter", _("窗口申请")


class ApplicantRole(models.TextChoices):
    """The part an actor plays in an event, beside the staff roles of hall.constants.StaffRole."""

    APPLICANT = "applicant", _("申请人")
    SYSTEM = "system", _("系统")


class EventKind(models.TextChoices):
    CREATED = "created", _("创建草稿")
    UPDATED = "updated", _("修改申请信息")
    MATERIAL_ADDED = "material_added", _("上传材料")
    MATERIAL_REPLACED = "material_replaced", _("替换材料")
    MATERIAL_REMOVED = "material_removed", _("删除材料")
    SUBMITTED = "submitted", _("提交申请")
    COUNTER_RECEIVED = "counter_received", _("窗口收件")
    ACCEPTED = "accepted", _("受理")
    ACCEPTED_WITH_DEFERRAL = "accepted_with_deferral", _("容缺受理")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("一次性告知补正")
    SUPPLEMENTED = "supplemented", _("补正材料")
    DEFERRED_RECEIVED = "deferred_received", _("补齐容缺材料")
    REFUSED = "refused", _("不予受理")
    WITHDRAWN = "withdrawn", _("撤回申请")
    GRANTED = "granted", _("准予许可")
    DENIED = "denied", _("不予许可")
    SUSPENDED = "suspended", _("启动特别程序")
    RESUMED = "resumed", _("结束特别程序")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("批准延期")
    EXTENSION_REFUSED = "extension_refused", _("不批准延期")
    BUNDLE_FOLLOWED = "bundle_followed", _("一件事状态同步")
    DELIVERED = "delivered", _("送达")
    ARCHIVED = "archived", _("归档")
    DOCUMENT_ISSUED = "document_issued", _("出具文书")
    HANDOFF_OPENED = "handoff_opened", _("异地收件")
    HANDOFF_FORWARDED = "handoff_forwarded", _("转交属地")
    HANDOFF_RECEIVED = "handoff_received", _("确认接收移交")
    HANDOFF_PAPER_RECEIVED = "handoff_paper_received", _("纸质材料到达")
    HANDOFF_SUPPLEMENT_FORWARDED = "handoff_supplement", _("转交补正材料")
    HANDOFF_RESULT_SENT = "handoff_result_sent", _("寄回办理结果")
    HANDOFF_RESULT_ARRIVED = "handoff_result_arrived", _("办理结果到达")
    DELIVERY_CHOSEN = "delivery_chosen", _("选择送达方式")
    RESULT_PRODUCED = "result_produced", _("制证")
    RESULT_HANDED_OVER = "result_handed_over", _("结果移交出件窗口")
    RESULT_RECEIVED = "result_received", _("出件窗口签收结果")
    RESULT_POSTED = "result_posted", _("结果寄出")
    RESULT_RETURNED = "result_returned", _("邮件退回")
    ACCEPTED_BY_LAW = "accepted_by_law", _("依法视为受理")
    RECEIPT_ISSUED = "receipt_issued", _("出具收件凭证")
    SITE_INSPECTION = "site_inspection", _("现场核查")
    COMMITMENT_SIGNED = "commitment_signed", _("签署告知承诺书")
    COMMITMENT_CONFIRMED = "commitment_confirmed", _("事后核查：承诺属实")
    COMMITMENT_FALSE = "commitment_false", _("事后核查：承诺不实")
    GRANT_REVOKED = "grant_revoked", _("撤销准予许可决定")


class DocumentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理通知书")
    SUPPLEMENT = "supplement", _("材料补正告知书")
    REFUSAL = "refusal", _("不予受理决定书")
    DEFERRAL = "deferral", _("容缺受理通知书")
    GRANT = "grant", _("准予行政许可决定书")
    DENIAL = "denial", _("不予行政许可决定书")
    SPECIAL_PROCEDURE = "special_procedure", _("特别程序告知书")
    EXTENSION = "extension", _("延期告知书")
    RESULT = "result", _("审批结果")
    DELIVERY_PROOF = "delivery_proof", _("送达回证")
    RECEIPT = "receipt", _("收件凭证")
    REVOCATION = "revocation", _("撤销行政许可决定书")


# The short word in each document's number: 〔2026〕受字第00001号 …
DOCUMENT_NUMBER_WORD = {
    DocumentKind.ACCEPTANCE: "受",
    DocumentKind.SUPPLEMENT: "补",
    DocumentKind.REFUSAL: "不受",
    DocumentKind.DEFERRAL: "容缺",
    DocumentKind.GRANT: "准",
    DocumentKind.DENIAL: "不准",
    DocumentKind.SPECIAL_PROCEDURE: "特",
    DocumentKind.EXTENSION: "延",
    DocumentKind.RESULT: "证",
    DocumentKind.DELIVERY_PROOF: "送",
    DocumentKind.RECEIPT: "收",
    DocumentKind.REVOCATION: "撤",
}


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("待批准")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class SpecialProcedureKind(models.TextChoices):
    """The procedures whose time is not counted (行政许可法 Art. 45), and one an item's own law names.
    An on-site inspection (现场核查) is none of them: it is a step of the review and the clock runs."""

    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    ITEM_LAW = "item_law", _("其他法律规定的特别程序")


# The article every Art. 45 kind rests on (the item's own law for ITEM_LAW).
ART_45 = "《中华人民共和国行政许可法》第四十五条"


class CommitmentOutcome(models.TextChoices):
    PENDING = "pending", _("待核查")
    CONFIRMED = "confirmed", _("承诺属实")
    FALSE = "false", _("承诺不实")


class DefectKind(models.TextChoices):
    MISSING = "missing", _("缺少")
    DEFECTIVE = "defective", _("不符合要求")


# 行政许可法 Art. 42: one extension of at most 10 working days unless the item's own law sets another
# cap (ItemVersion.extension_max_days); joint handling (a bundle) 45 working days, +15.
MAX_EXTENSION_DAYS = 10
EXTENSION_BASIS = "《中华人民共和国行政许可法》第四十二条第一款"
JOINT_DAYS = 45
JOINT_EXTENSION_DAYS = 15
JOINT_BASIS = "《中华人民共和国行政许可法》第四十二条第二款"
# Appeal rights printed on refusals and denials.
RECONSIDERATION_DAYS = 60
LAWSUIT_MONTHS = 6


class HandoffState(models.TextChoices):
    """Where a cross-county hand-off (全市通办) stands; the legs record each movement."""

    AWAITING_FORWARD = "awaiting_forward", _("待转交")
    FORWARDED = "forwarded", _("已转交待接收")
    RECEIVED = "received", _("属地已接收")
    RESULT_SENT = "result_sent", _("结果寄回中")
    RESULT_ARRIVED = "result_arrived", _("结果已到达收件大厅")
    CLOSED = "closed", _("已办结")


# Hand-offs someone still has to act on (the lists and the overdue count read only these).
OPEN_HANDOFF_STATES = [
    HandoffState.AWAITING_FORWARD,
    HandoffState.FORWARDED,
    HandoffState.RECEIVED,
    HandoffState.RESULT_SENT,
]
# Hand-offs at the owning hall still to confirm or to review (its incoming list).
INCOMING_HANDOFF_STATES = [HandoffState.FORWARDED, HandoffState.RECEIVED]


class LegKind(models.TextChoices):
    """What travels between the two halls."""

    ELECTRONIC = "electronic", _("电子材料")
    PAPER = "paper", _("纸质原件")
    SUPPLEMENT = "supplement", _("补正材料")
    RESULT = "result", _("办理结果")


class Carrier(models.TextChoices):
    NETWORK = "network", _("政务网络（电子流转）")
    EMS = "ems", _("邮政EMS")
    COURIER = "courier", _("快递")
    SHUTTLE = "shuttle", _("政务交换专车")


class HandoffSide(models.TextChoices):
    RECEIVING = "receiving", _("收件地（异地）")
    OWNING = "owning", _("属地")


# Stages of a cross-area case whose owner must be clear (DOMAIN.md §4).
HANDOFF_STAGES = [
    ("receive", _("收件")),
    ("accept", _("受理")),
    ("decide", _("审批决定")),
    ("produce", _("制证")),
    ("deliver", _("送达")),
    ("archive", _("归档")),
]


# Open work of each queue (DESIGN.md "Lists at a city's volume"): each has a partial index on Case that
# holds only these rows, so a queue costs the same whatever the closed history.
INTAKE_QUEUE_STATES = [CaseState.SUBMITTED, CaseState.SUPPLEMENT_REQUESTED]  # the window clerk's
DECISION_QUEUE_STATES = [CaseState.ACCEPTED, CaseState.SUSPENDED]  # the approver's
DECIDED_STATES = [CaseState.APPROVED, CaseState.DENIED]  # the decision is made, the result not yet out
RESULT_QUEUE_STATES = DECIDED_STATES  # decided: the result to produce (制证)
# A clock is running while the case has a warning level (the SLA scan keeps it current).
RUNNING_LEVELS = [WarningLevel.GREEN, WarningLevel.YELLOW, WarningLevel.RED, WarningLevel.OVERDUE]
