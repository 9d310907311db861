"""Issuing the written notices of a case as PDFs (DOMAIN.md §3), each with a document number, date,
issuing body, a seal area and a QR code to the public verification page.

1. A number is allocated from the issuer's yearly sequence for the kind (cases.numbering).
2. A random verification token is drawn; the QR code points at /verify/<token>/.
3. The PDF is rendered from templates/cases/pdf/<kind>.html and its SHA-256 and SM3 taken; the issuing
   body's SM2 key (hall/sm2.py, kept outside the database) signs it, and only a signed document carries
   the red seal image.
4. The file is stored (MEDIA_ROOT or the S3 bucket: TONGBAN_STORAGE) and the Document row written
   (append-only: a correction is a new Document with `supersedes` pointing at the old one, the old file
   stays as it was).
Runs inside the calling service's transaction; if that fails, the stored file is deleted.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from hall import sm2
from hall.crypto import sm3_hex
from hall.pagecache import generation_bump
from hall.pdf import absolute_url, qr_data_uri, render_pdf, sha256_hex

from .constants import DocumentKind
from .models import Case, Document, _verification_token
from .numbering import document_number_allocate
from .uploads import remember_written

# The generation of the cached public verification pages (cases/views/verify.py).
VERIFY_PAGES = "document-verify"


def issuer_of(case: Case) -> tuple[str, str, str]:
    """(key, short name for the number, full name) of the body issuing the case's notices: the owning
    department, which decides; a receiving hall only when no department is known."""
    department = case.owning_department
    if department is not None:
        short = f"{department.region.name}{department.short_name or department.name}"
        return f"dept{department.pk}", short, department.name
    hall = case.receiving_hall
    return f"hall{hall.pk}", hall.name, hall.name


def verify_path(token: str) -> str:
    return reverse("cases:verify", args=[token])


def document_issue(
    *, case: Case, kind: str, actor, context: dict | None = None, supersedes: Document | None = None, on=None
) -> Document:
    from .services._common import today

    issued_on = on or today()
    key, short, issuer = issuer_of(case)
    number = document_number_allocate(issuer_key=key, issuer_short=short, kind=kind, day=issued_on)
    token = _verification_token()
    verify_url = absolute_url(verify_path(token))
    with translation.override(settings.LANGUAGE_CODE):  # stored and printed: always Chinese
        title = str(DocumentKind(kind).label)
    # Signed by the issuing body's SM2 key when it has one (the seal is printed only then).
    signing = sm2.signing_key(key)
    pdf = render_pdf(
        f"cases/pdf/{kind}.html",
        {
            **(context or {}),
            "seal_data_uri": seal_data_uri(issuer) if signing else "",
            "case": case,
            "title": title,
            "issuer": issuer,
            "document_number": number,
            "issued_on": issued_on,
            "verify_url": verify_url,
            "qr_data_uri": qr_data_uri(verify_url),
            "supersedes": supersedes,
        },
    )
    document = Document(
        number=number,
        kind=kind,
        case=case,
        title=title,
        issuer_name=issuer,
        issued_on=issued_on,
        issued_by=actor,
        sha256=sha256_hex(pdf),
        sm3=sm3_hex(pdf),
        signature=sm2.sign(pdf, signing["private"], signing["public"]) if signing else "",
        signature_key=f"{key}:{signing['version']}" if signing else "",
        token=token,
        supersedes=supersedes,
    )
    document.file.save(f"{case.number or case.pk}-{kind}-{token[:8]}.pdf", ContentFile(pdf), save=False)
    remember_written(document.file.name)
    document.save()
    # The public verification pages are cached (hall/pagecache.py): a new document may supersede or revoke
    # an earlier one of the case, so they are all dropped.
    generation_bump(VERIFY_PAGES)
    return document


def document_correct(*, document: Document, actor, context: dict | None = None) -> Document:
    """Issue a corrected copy of `document` as a new Document that supersedes it (with its event); run it
    inside a transaction. The caller supplies the corrected context (see the kind's template)."""
    from .constants import EventKind
    from .services._common import event_record

    if hasattr(document, "superseded_by"):
        raise ValueError("该文书已被更正，请更正最新的文书。")
    correction = document_issue(
        case=document.case, kind=document.kind, actor=actor, context=context, supersedes=document
    )
    event_record(
        case=document.case,
        kind=EventKind.DOCUMENT_ISSUED,
        actor=actor,
        note=f"更正{document.title}（{document.number}），新文书{correction.number}",
        document=correction,
    )
    return correction


def document_for_token(token: str) -> Document | None:
    return Document.objects.select_related("case", "case__item_version", "case__bundle").filter(token=token).first()


# ---- SM2 signature and seal ------------------------------------------------------------------------


SEAL_FONTS = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"  # the notice's fonts, in its order


def seal_data_uri(issuer: str) -> str:
    """A plain red round seal (SVG, drawn here: no external asset) with a star and the issuing body's
    name, printed on signed documents only. Its text takes the notice's own font (static/pdf/document.css):
    a second CJK font would be subset and embedded into every notice for these few characters, a third
    of the render's time and two thirds of the file."""
    import base64
    from xml.sax.saxutils import escape

    name = escape(issuer[:16])
    size = 11 if len(issuer) <= 8 else 9 if len(issuer) <= 11 else 7
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160" viewBox="0 0 160 160">'
        '<circle cx="80" cy="80" r="74" fill="none" stroke="#d40000" stroke-width="6"/>'
        '<polygon fill="#d40000" points="80,38 89.4,66.9 119.9,66.9 95.2,84.8 104.7,113.8 80,95.9 55.3,113.8 '
        '64.8,84.8 40.1,66.9 70.6,66.9"/>'
        f'<text x="80" y="128" font-size="{size}" text-anchor="middle" fill="#d40000" '
        f'font-family="{SEAL_FONTS}">{name}</text>'
        '<text x="80" y="30" font-size="9" text-anchor="middle" fill="#d40000" '
        f'font-family="{SEAL_FONTS}">电子印章</text>'
        "</svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def document_signature_state(document: Document) -> dict:
    """For the public check: whether the stored file is the one issued (SHA-256 and SM3) and whether the
    issuing body's SM2 signature over it is valid. state: valid / unsigned / altered / invalid / unknown_key."""
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        return {"state": "altered", "sm3": document.sm3}
    if sha256_hex(content) != document.sha256 or (document.sm3 and sm3_hex(content) != document.sm3):
        return {"state": "altered", "sm3": document.sm3}
    if not document.signature:
        return {"state": "unsigned", "sm3": document.sm3}
    public = sm2.public_key_for(document.signature_key)
    if public is None:
        return {"state": "unknown_key", "sm3": document.sm3}
    valid = sm2.verify(content, document.signature, public)
    return {"state": "valid" if valid else "invalid", "sm3": document.sm3, "public_key": "04" + public}
