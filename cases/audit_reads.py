"""Which pages show a citizen's personal data to staff, and the middleware that records each successful
staff read of them (hall.security.access). Declared here, in one place, instead of in every view: a new
page holding personal data is audited by adding its URL name below."""

from hall.constants import AccessKind
from hall.security.access import access_record, is_staff_reader

from .models import Case, Document, SubmittedMaterial

# URL name → (what is read, the URL argument holding the case's id or None)
AUDITED_PAGES = {
    "cases:detail": (AccessKind.CASE, "pk"),
    "cases:review": (AccessKind.CASE, "pk"),
    "cases:decide": (AccessKind.CASE, "pk"),
    "cases:handoff": (AccessKind.CASE, "pk"),
    "cases:material_file": (AccessKind.MATERIAL, "pk"),
    "cases:document": (AccessKind.DOCUMENT, "pk"),
    "delivery:order": (AccessKind.CASE, None),
    "delivery:archive_export": (AccessKind.EXPORT, None),
    "delivery:package_download": (AccessKind.EXPORT, None),
}


def _target(view_name: str, kwargs: dict) -> str:
    if view_name == "cases:material_file":
        name = SubmittedMaterial.objects.filter(pk=kwargs.get("submitted_pk")).values_list("original_name", flat=True)
        return (name.first() or "") + f"（#{kwargs.get('submitted_pk')}）"
    if view_name == "cases:document":
        number = Document.objects.filter(pk=kwargs.get("document_pk")).values_list("number", flat=True).first()
        return number or f"#{kwargs.get('document_pk')}"
    return " ".join(f"{key}={value}" for key, value in kwargs.items())


def note_case_read(request, case) -> None:
    """Remember on the request the case a page has just read (cases.views.common.case_for), so that its
    access record takes the number and halls from it instead of reading the case again."""
    request.case_read = (case.pk, case.number, case.receiving_hall_id, case.handed_to_hall_id)


def _read_by_view(request, case_id: int) -> tuple | None:
    read = getattr(request, "case_read", None)
    return read[1:] if read and read[0] == case_id else None


class AccessRecordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            match is None
            or request.method != "GET"
            or response.status_code != 200
            or match.view_name not in AUDITED_PAGES
            or not is_staff_reader(getattr(request, "user", None))
        ):
            return response
        kind, case_arg = AUDITED_PAGES[match.view_name]
        case_id, number, halls = None, "", ()
        if case_arg:
            case_id = int(match.kwargs[case_arg])
            row = _read_by_view(request, case_id) or (
                Case.objects.filter(pk=case_id).values_list("number", "receiving_hall_id", "handed_to_hall_id").first()
            )
            if row:
                number, halls = row[0] or "", {h for h in row[1:] if h}
        access_record(
            request,
            kind=kind,
            case_id=case_id,
            case_number=number,
            target=_target(match.view_name, match.kwargs),
            case_halls=halls,
        )
        return response
