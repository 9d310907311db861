"""Demo cross-county hand-offs (全市通办), made through the real services: 阳春市's 食品经营许可 received at the
阳西县 hall, one forwarded and waiting for 阳春市 to confirm receipt, one decided with its licence on the
way back to 阳西县; and one 阳西县 item received at 阳东区 still to be forwarded. Idempotent: each is
marked in its form data and made once.

Needs seed_demo, seed_catalogue and seed_cases (for the sample file)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from cases import services
from cases.models import Case
from hall.constants import StaffRole
from hall.demo import CITIZENS, staff_username
from hall.models import Hall, User
from hall.selectors import user_by_mobile
from items.models import ItemVersion

from .seed_cases import _sample_pdf

ITEM = "食品经营许可"
# (key, citizen index, owning county, receiving hall, how far it goes)
SCENARIOS = [
    ("handoff_forwarded", 0, "441781", "YX", "forwarded"),
    ("handoff_result_sent", 1, "441781", "YX", "result_sent"),
    ("handoff_to_forward", 2, "441721", "YD", "received"),
]


def _staff(hall: str, role: str) -> User:
    return User.objects.get(username=staff_username(hall, role))


def _version(region_code: str) -> ItemVersion:
    version = ItemVersion.objects.filter(
        item__current_version=F("pk"), item__region__code=region_code, name=ITEM
    ).first()
    if version is None:
        raise CommandError("没有可用的演示事项：请先运行 seed_demo 和 seed_catalogue。")
    return version


class Command(BaseCommand):
    help = "Create demo cross-county hand-offs (idempotent)."

    def handle(self, *args, **options):
        citizens = [user_by_mobile(mobile) for _name, _birth, _seq, mobile in CITIZENS]
        if any(c is None for c in citizens):
            raise CommandError("请先运行 seed_demo。")
        seeded = {
            (case.form_data or {}).get("demo")
            for case in Case.objects.filter(applicant__in=citizens, cross_area_mode__gt="").only("form_data")
        }
        self.pdf = _sample_pdf()
        made = 0
        for key, who, region, hall, target in SCENARIOS:
            if key in seeded:
                continue
            self._make(key, citizens[who], _version(region), Hall.objects.get(code=hall), target)
            made += 1
        self.stdout.write(f"demo hand-offs: {made} created, {len(SCENARIOS) - made} already there")

    def _make(self, key, citizen, version, hall, target) -> Case:
        clerk = _staff(hall.code, StaffRole.WINDOW_CLERK)
        owner = Hall.objects.filter(region=version.item.region).order_by("code").first()
        uploads = {
            m: SimpleUploadedFile(f"{m.name[:40]}.pdf", self.pdf, content_type="application/pdf")
            for m in version.materials.order_by("order", "pk")
        }
        case = services.case_record_counter_application(
            clerk=clerk,
            hall=hall,
            item_version=version,
            applicant_id_number=citizen.id_number,
            applicant_name=citizen.real_name,
            applicant_mobile=citizen.mobile,
            identity_checked=True,
            form_data={"demo": key, "contact_mobile": citizen.mobile, "description": "演示：全市通办"},
            uploads=uploads,
            originals_seen=[m.pk for m in uploads],
        )
        if target == "received":
            return case
        services.handoff_forward(case=case, actor=clerk, paper_carrier="ems", paper_tracking=f"EM{case.pk:09d}CN")
        if target == "forwarded":
            return case
        owner_clerk = _staff(owner.code, StaffRole.WINDOW_CLERK)
        services.handoff_receive(case=case, actor=owner_clerk)
        services.handoff_receive(case=case, actor=owner_clerk, leg_kind="paper", tracking_number=f"EM{case.pk:09d}CN")
        services.case_accept(case=case, actor=owner_clerk)
        approver = User.objects.filter(
            assignments__role=StaffRole.APPROVER, assignments__department=version.item.department
        ).first()
        services.case_grant(case=case, actor=approver, opinion="经审查，符合法定条件。")
        case.refresh_from_db()
        services.handoff_result_send(
            case=case,
            actor=_staff(owner.code, StaffRole.RESULT_CLERK),
            tracking_number=f"EM{case.pk + 500000:09d}CN",
            carrier="ems",
        )
        return case
