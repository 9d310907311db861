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


class AttemptOutcome(models.TextChoices):
    """How one send attempt of a notice channel ended (the append-only delivery log)."""

    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    # The gateway already had this idempotency key: it did not send the message again.
    DUPLICATE = "duplicate", _("网关已去重")


class AccessKind(models.TextChoices):
    """What a staff member opened that holds a citizen's personal data (audited reads)."""

    CASE = "case", _("办件个人信息")
    MATERIAL = "material", _("申请材料文件")
    DOCUMENT = "document", _("文书")
    EXPORT = "export", _("导出含个人信息的清单")


class SecurityEventKind(models.TextChoices):
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账号锁定")
    ACCESS_REFUSED = "access_refused", _("拒绝访问")
    OTP_FAILED = "otp_failed", _("动态口令错误")
    OTP_ENROLLED = "otp_enrolled", _("绑定动态口令")
    OTP_RESET = "otp_reset", _("重置双因素认证")
    RECOVERY_CODE_USED = "recovery_code_used", _("使用恢复码")
    SESSION_EXPIRED = "session_expired", _("会话超时")
    SESSIONS_ENDED = "sessions_ended", _("结束全部会话")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    ROLE_CHANGED = "role_changed", _("岗位变更")
    ADMIN_EDIT = "admin_edit", _("后台修改")
    BURST = "burst", _("异常访问告警")
