"""收件凭证: the receipt every submission gets, online or at the counter, and every supplement: a
numbered document listing the materials received and the date by which intake will be decided
(行政许可法 Art. 32: a written, dated acknowledgement of what was handed in)."""

from django.utils import timezone

from ..clock import intake_due_for, intake_start
from ..constants import Channel, DocumentKind, EventKind
from ..documents import document_issue
from ..models import Case, Document
from ._common import event_record
from .limits import intake_limit_text


def receipt_rows(case: Case, *, since=None) -> list[dict]:
    """The files received (all current ones, or those uploaded since `since`), then the proofs a
    signed commitment replaced."""
    files = case.materials.filter(superseded=False).select_related("material").order_by("uploaded_at", "pk")
    if since is not None:
        files = files.filter(uploaded_at__gte=since)
    rows = [
        {
            "name": f.material.name if f.material_id else "补充说明材料",
            "file": f.original_name,
            "note": "已核验原件" if f.originals_seen else "",
        }
        for f in files
    ]
    commitment = getattr(case, "commitment", None) if hasattr(case, "commitment") else None
    if commitment is not None:
        for material in commitment.replaced_materials.all():
            rows.append({"name": material.name, "file": "", "note": "以告知承诺代替（申请人已签署告知承诺书）"})
    return rows


def receipt_issue(*, case: Case, actor, since=None, ip: str | None = None) -> Document:
    """Issue the receipt inside the caller's transaction (after the case is numbered and received);
    `since` is the supplement request's time when the receipt is for a supplement."""
    received_at = timezone.now() if since is not None else case.received_at
    due = intake_due_for(case, intake_start(case)) if case.item_version_id else None
    context = {
        "received_at": received_at,
        "supplement": since is not None,
        "channel": Channel(case.channel).label,
        "rows": receipt_rows(case, since=since),
        "intake_due": due,
        "intake_limit": intake_limit_text(case.item_version) if case.item_version_id else "",
    }
    document = document_issue(case=case, kind=DocumentKind.RECEIPT, actor=actor, context=context)
    event_record(
        case=case,
        kind=EventKind.RECEIPT_ISSUED,
        actor=actor,
        note=f"收件凭证{document.number}：收到材料{len(context['rows'])}项",
        ip=ip,
        document=document,
    )
    return document


def submission_record(*, case: Case, actor, ip: str | None = None) -> None:
    """What follows every submission (online, counter) inside its transaction: the receipt, and
    for an application made by commitment (告知承诺制) the decision on the spot."""
    receipt_issue(case=case, actor=actor, ip=ip)
    if hasattr(case, "commitment"):
        from .commitment import case_decide_on_commitment

        case_decide_on_commitment(case=case, ip=ip)
