"""English translations of the portal's Chinese msgids, applied to locale/en/LC_MESSAGES/django.po.

Run after `manage.py makemessages -l en`: `python scripts/translations_en.py && manage.py compilemessages`.
Strings missing here stay Chinese in the English UI (Django falls back to the msgid)."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"

EN = {
    "省级": "Province",
    "市级": "City",
    "县级": "County",
    "乡镇（街道）级": "Town (street)",
    "投资项目": "Investment projects",
    "不动产登记": "Real estate registration",
    "商事登记": "Business registration",
    "社会事务": "Social affairs",
    "全市通办专窗": "City-wide window",
    "统一出件": "Results window",
    "综合窗口人员": "Window clerk",
    "后台审批人员": "Approver",
    "出件窗口人员": "Result-window clerk",
    "督查人员": "Supervisor",
    "事项目录管理员": "Catalogue admin",
    "系统管理员": "System admin",
    "自然人": "Natural person",
    "法人（企业）": "Legal person (enterprise)",
    "工作人员": "Staff",
    "平常日": "Ordinary day",
    "法定节假日": "Statutory holiday",
    "调休上班日": "Swapped working day",
    "自动导入": "Seeded",
    "管理员录入": "Entered by admin",
    "站内信": "Inbox",
    "短信": "SMS",
    "电子邮件": "E-mail",
    "待发送": "Pending",
    "发送中": "Sending",
    "已发送": "Sent",
    "发送失败": "Failed",
    "手机号或身份证号": "Mobile or ID number",
    "密码": "Password",
    "账号或密码不正确。请检查手机号（或身份证号）和密码后重试；连续输错5次将锁定30分钟。": "Wrong account or password. Check your mobile (or ID number) and password; five failures lock the account "
    "for 30 minutes.",
    "该账号已停用，请联系大厅工作人员。": "This account is disabled; please ask the hall staff.",
    "姓名": "Name",
    "身份证号": "ID number",
    "18位居民身份证号，末位X请大写": "18-character resident ID number",
    "手机号": "Mobile",
    "至少8位，不能全是数字，不能太常见": "At least 8 characters, not all digits, not too common",
    "确认密码": "Confirm password",
    "该身份证号已注册，请直接登录；如忘记密码请到大厅窗口办理。": "This ID number is already registered: log in, or reset your password at a hall window.",
    "该手机号已注册，请直接登录或换一个手机号。": "This mobile is already registered: log in or use another number.",
    "两次输入的密码不一致。": "The two passwords differ.",
    "单位名称": "Enterprise name",
    "统一社会信用代码": "Unified social credit code",
    "法定代表人": "Legal representative",
    "经办人姓名": "Agent's name",
    "经办人身份证号": "Agent's ID number",
    "经办人手机号": "Agent's mobile",
    "该统一社会信用代码已注册。如需更换经办人，请到大厅窗口办理。": "This credit code is already registered. To change the agent, please visit a hall window.",
    "身份证号应为18位：前17位是数字，最后一位是数字或X。": "An ID number has 18 characters: 17 digits, then a digit or X.",
    "身份证号中的出生日期不存在，请核对。": "The birth date in this ID number does not exist.",
    "身份证号中的出生日期不合理，请核对。": "The birth date in this ID number is not plausible.",
    "身份证号校验位不正确，请核对是否输错。": "The check character of this ID number is wrong: please check for typos.",
    "统一社会信用代码应为18位，由数字和大写字母组成（不含 I、O、S、V、Z）。": "A credit code has 18 digits and capital letters (no I, O, S, V, Z).",
    "统一社会信用代码校验位不正确，请核对是否输错。": "The check character of this credit code is wrong.",
    "手机号应为11位中国大陆手机号码，以1开头，第二位为3到9。": "A mobile number has 11 digits, starting with 1 and then 3 to 9.",
    "行政区划代码应为6位数字（GB/T 2260）。": "A region code has 6 digits (GB/T 2260).",
    "登录失败次数过多，该账号已被暂时锁定，请30分钟后再试，或到大厅窗口核实身份后解锁。": "Too many failed logins: this account is locked. Try again in 30 minutes, or unlock it at a hall window.",
    "注册成功，欢迎使用通办。": "Registered. Welcome to Tongban.",
    "通办 · 政务服务": "Tongban · Government services",
    "跳到正文": "Skip to content",
    "通办": "Tongban",
    "阳江市政务服务": "Yangjiang government services",
    "菜单": "Menu",
    "标准字体": "Standard text",
    "大字版": "Large text",
    "语言": "Language",
    "切换": "Switch",
    "退出": "Log out",
    "登录": "Log in",
    "注册": "Register",
    "阳江市政务服务数据管理局 · 监督投诉：12345": "Yangjiang Government Services Data Administration · complaints: 12345",
    "我的办事": "My applications",
    "阳江市政务服务“一网通办”": "Yangjiang government services online",
    "查找事项、阅读办事指南、在线申请、查询进度，全市各大厅均可办理。": "Find a service, read its guide, apply online and follow your case; any hall in the city can receive it.",
    "个人注册": "Register as a person",
    "企业注册": "Register an enterprise",
    "进入我的工作台": "Go to my workbench",
    "还没有账号？": "No account yet?",
    "工作台": "workbench",
    "号窗口": " window",
    "首页": "Home",
}


def main() -> None:
    text = PO.read_text(encoding="utf-8")
    filled = 0

    def fill(match: re.Match) -> str:
        nonlocal filled
        msgid = match.group(1)
        key = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\" in msgid else msgid
        if key in EN and not match.group(2):
            filled += 1
            return f'msgid "{msgid}"\nmsgstr "{EN[key]}"'
        return match.group(0)

    text = re.sub(r'msgid "(.+)"\nmsgstr "(.*)"', fill, text)
    text = text.replace("#, fuzzy\n", "")
    PO.write_text(text, encoding="utf-8")
    print(f"filled {filled} translations")


if __name__ == "__main__":
    main()
