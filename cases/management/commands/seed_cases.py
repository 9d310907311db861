"""A few demo cases in several states, made through the real services (so each has its events,
notices and PDF notices). Idempotent: each demo case is marked in its form data and made once.

Needs the demo organisation (seed_demo) and catalogue (seed_catalogue)."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from django.utils import timezone

from cases import services
from cases.clock import INTAKE_DAYS, case_clock_recompute
from cases.constants import SpecialProcedureKind
from cases.models import Case
from hall.constants import StaffRole
from hall.demo import CITIZENS, staff_username
from hall.models import User
from hall.selectors import user_by_mobile
from hall.workdays import add_working_days
from items.models import ItemVersion

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "catalogue"

# (key, citizen index in hall.demo.CITIZENS, how far the case goes)
SCENARIOS = [
    ("draft", 0, "draft"),
    ("submitted", 0, "submitted"),
    ("supplement", 1, "supplement_requested"),
    ("accepted", 1, "accepted"),
    ("deferral", 2, "accepted_with_deferral"),
    ("suspended", 2, "suspended"),
    ("approved", 0, "approved"),
    ("denied", 1, "denied"),
    ("refused", 2, "rejected"),
    # Aged cases, so that the supervisor's page shows every warning level: (key, citizen, target,
    # working days since acceptance). The dates are moved back after the real services ran.
    ("aged_yellow", 0, "accepted"),
    ("aged_red", 1, "accepted"),
    ("aged_overdue", 2, "accepted"),
    ("intake_overdue", 0, "submitted"),
]

# Where each aged case's open clock (decision, or intake for the unreviewed one) falls due, in working
# days from today: tomorrow is yellow, today red (on a weekend no clock falls due, so it shows
# yellow), the past overdue.
AGED = {"aged_yellow": 1, "aged_red": 0, "aged_overdue": -3, "intake_overdue": -2}


def _sample_pdf() -> bytes:
    samples = sorted(FIXTURE_DIR.glob("*.pdf"))
    if samples:
        return samples[0].read_bytes()
    # A one-page blank PDF: the upload check reads every material completely, as for a citizen's file.
    from io import BytesIO

    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    return buffer.getvalue()


def _staff(role: str) -> User:
    return User.objects.get(username=staff_username("JC", role))


def _versions() -> list[ItemVersion]:
    """Published online items of 江城区 decided by its market regulator, with a deferrable material."""
    return list(
        ItemVersion.objects.filter(
            item__current_version=F("pk"),
            item__region__code="441702",
            item__department__short_name="市场监管",
            online_application=True,
            materials__deferrable=True,
        )
        .distinct()
        .order_by("item__implementation_code")
    )


class Command(BaseCommand):
    help = "Create demo cases in several states (idempotent)."

    def handle(self, *args, **options):
        versions = _versions()
        if not versions:
            raise CommandError("没有可用的演示事项：请先运行 seed_demo 和 seed_catalogue。")
        citizens = [user_by_mobile(mobile) for _name, _birth, _seq, mobile in CITIZENS]
        self.clerk, self.approver = _staff(StaffRole.WINDOW_CLERK), _staff(StaffRole.APPROVER)
        self.pdf = _sample_pdf()
        made = 0
        # The application form is stored encrypted (no SQL on its keys): read the demo citizens' cases once.
        seeded = {
            (case.form_data or {}).get("demo")
            for case in Case.objects.filter(applicant__in=[c for c in citizens if c is not None]).only("form_data")
        }
        for index, (key, who, target) in enumerate(SCENARIOS):
            if key in seeded:
                continue
            case = self._make(key, citizens[who], versions[index % len(versions)], target)
            if key in AGED:
                _age(case, AGED[key])
            made += 1
        self.stdout.write(f"demo cases: {made} created, {len(SCENARIOS) - made} already there")

    def _upload(self, name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(f"{name}.pdf", self.pdf, content_type="application/pdf")

    def _make(self, key: str, citizen: User, version: ItemVersion, target: str) -> None:
        form_data = {"demo": key, "contact_mobile": citizen.mobile, "description": "演示办件"}
        case = services.case_create_draft(applicant=citizen, item_version=version, form_data=form_data)
        materials = list(version.materials.order_by("order", "pk"))
        skip_deferrable = target == "accepted_with_deferral"
        for material in materials:
            if skip_deferrable and material.deferrable:
                continue
            services.case_attach_material(
                case=case, actor=citizen, upload=self._upload(material.name[:40]), material=material
            )
        if target == "draft":
            return case
        services.case_submit(case=case, actor=citizen)
        due = timezone.localdate() + timezone.timedelta(days=7)
        if target == "supplement_requested":
            first = materials[0]
            services.case_request_supplement(
                case=case,
                actor=self.clerk,
                items=[{"material": first, "name": first.name, "reason": "未签名，请签名后重新上传"}],
                due=due,
            )
        elif target == "rejected":
            services.case_refuse(case=case, actor=self.clerk, reasons="申请事项依法不需要取得行政许可")
        elif target == "accepted_with_deferral":
            deferred = [m for m in materials if m.deferrable]
            promised = services.promised_completion(case, timezone.localdate())
            services.case_accept_with_deferral(
                case=case,
                actor=self.clerk,
                deferred_materials=deferred,
                due=min(due, promised),
                undertaking="本人承诺在期限内补交容缺材料，逾期未补交的自愿承担相应责任。",
            )
        elif target != "submitted":
            services.case_accept(case=case, actor=self.clerk)
            if target == "suspended":
                services.case_suspend(
                    case=case,
                    actor=self.approver,
                    kind=SpecialProcedureKind.TESTING,
                    reason="需对送检样品进行检测",
                    expected_days=5,
                )
            elif target == "approved":
                services.case_grant(case=case, actor=self.approver, opinion="经审查，符合法定条件。")
            elif target == "denied":
                services.case_deny(case=case, actor=self.approver, reasons="经营场所与申报的用途不符。")
        return case


def _age(case: Case, due_in: int) -> None:
    """Move a demo case's receipt and acceptance back in time so that its open clock falls due
    `due_in` working days from today."""
    case.refresh_from_db()
    limit = case.item_version.promised_days if case.accepted_on else INTAKE_DAYS
    start = add_working_days(add_working_days(timezone.localdate(), due_in), -limit)
    received = timezone.make_aware(timezone.datetime.combine(start, timezone.datetime.min.time().replace(hour=9)))
    Case.objects.filter(pk=case.pk).update(received_at=received, accepted_on=start if case.accepted_on else None)
    case.refresh_from_db()
    case_clock_recompute(case)
    case.save(update_fields=["intake_due", "decision_due", "paused_days", "next_due", "warning_level"])
