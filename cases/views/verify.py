"""The public verification page a notice's QR code points at: it confirms that a document with this
number, date, case number and title was issued, and its hash, without any personal data."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from hall.pagecache import anonymous_page

from ..documents import VERIFY_PAGES, document_for_token
from ..services.commitment import commitment_revoked_grant


@require_GET
@anonymous_page("verify", seconds=60, generation_of=VERIFY_PAGES)
def document_verify(request, token: str):
    document = document_for_token(token)
    if document is None:
        raise Http404(_("未找到该文书"))
    successor = getattr(document, "superseded_by", None)
    return render(
        request,
        "cases/verify.html",
        {
            "document": document,
            "case_number": document.case.number,
            "case_title": document.case.title,
            "successor": successor,
            "revoked": commitment_revoked_grant(document),
        },
    )
