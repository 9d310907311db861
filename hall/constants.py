from django.db import models


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, "省级"
    CITY = 2, "市级"
    COUNTY = 3, "县级"
    TOWN = 4, "乡镇（街道）级"


class WindowCategory(models.TextChoices):
    INVESTMENT = "investment", "投资项目"
    REAL_ESTATE = "real_estate", "不动产登记"
    COMMERCIAL = "commercial", "商事登记"
    SOCIAL = "social", "社会事务"
    CROSS_AREA = "cross_area", "全市通办专窗"
    RESULT = "result", "统一出件"


class StaffRole(models.TextChoices):
    WINDOW_CLERK = "window_clerk", "综合窗口人员"
    APPROVER = "approver", "后台审批人员"
    RESULT_CLERK = "result_clerk", "出件窗口人员"
    SUPERVISOR = "supervisor", "督查人员"
    CATALOGUE_ADMIN = "catalogue_admin", "事项目录管理员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"


class AccountKind(models.TextChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人（企业）"
    STAFF = "staff", "工作人员"


class DayKind(models.TextChoices):
    NORMAL = "normal", "平常日"
    HOLIDAY = "holiday", "法定节假日"
    SWAP_WORKDAY = "swap_workday", "调休上班日"


class DaySource(models.TextChoices):
    SEEDED = "seeded", "自动导入"
    ADMIN = "admin", "管理员录入"


class NoticeChannel(models.TextChoices):
    INBOX = "inbox", "站内信"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
