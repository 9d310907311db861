from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")
    TOWN = 4, _("乡镇（街道）级")


class WindowCategory(models.TextChoices):
    INVESTMENT = "investment", _("投资项目")
    REAL_ESTATE = "real_estate", _("不动产登记")
    COMMERCIAL = "commercial", _("商事登记")
    SOCIAL = "social", _("社会事务")
    CROSS_AREA = "cross_area", _("全市通办专窗")
    RESULT = "result", _("统一出件")


class StaffRole(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("综合窗口人员")
    APPROVER = "approver", _("后台审批人员")
    RESULT_CLERK = "result_clerk", _("出件窗口人员")
    SUPERVISOR = "supervisor", _("督查人员")
    AGENCY_HEAD = "agency_head", _("机关负责人")
    ARCHIVIST = "archivist", _("档案管理员")
    CATALOGUE_ADMIN = "catalogue_admin", _("事项目录管理员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


class AccountKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人（企业）")
    STAFF = "staff", _("工作人员")


class DayKind(models.TextChoices):
    NORMAL = "normal", _("平常日")
    HOLIDAY = "holiday", _("法定节假日")
    SWAP_WORKDAY = "swap_workday", _("调休上班日")


class DaySource(models.TextChoices):
    SEEDED = "seeded", _("自动导入")
    ADMIN = "admin", _("管理员录入")


class NoticeChannel(models.TextChoices):
    INBOX = "inbox", _("站内信")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
