"""PDF rendering for notices, guides and certificates (WeasyPrint).

Every resource a PDF needs travels inside the document: the stylesheet is read from our own
static folder and passed as a string, QR codes are data: URIs. The URL fetcher therefore refuses
every scheme but data:, so a template can never make WeasyPrint read a local file or the network.
"""

import hashlib
from functools import lru_cache

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

PDF_STYLESHEET = settings.BASE_DIR / "static" / "pdf" / "document.css"


@lru_cache(maxsize=1)
def _stylesheet():
    from weasyprint import CSS

    return CSS(string=PDF_STYLESHEET.read_text(encoding="utf-8"))


# PDF/UA-1: tagged structure (headings, tables, reading order), the document's title shown by the
# reader and its language declared, so that screen readers can read every notice and certificate.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template (extending pdf/base.html) to tagged PDF/UA bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override(settings.LANGUAGE_CODE):  # official documents stay Chinese in the English UI
        html = render_to_string(template_name, context)
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[_stylesheet()], pdf_variant=PDF_VARIANT)


@lru_cache(maxsize=512)
def qr_data_uri(url: str, scale: int = 3) -> str:
    """An SVG QR code for `url`, as a data: URI for <img src>, in web pages and PDFs alike.

    The mask pattern is fixed: every mask gives a valid code (ISO/IEC 18004 §7.8) and choosing the
    "best" one scores all eight, most of the cost of issuing a notice after the layout itself. Pages
    that show the same code again (a guide, a verification page) get it from the cache."""
    return segno.make(url, error="m", mask=QR_MASK).svg_data_uri(scale=scale, border=2)


QR_MASK = 2  # any of 0–7 reads the same; fixed so that no time is spent scoring the others


def absolute_url(path: str) -> str:
    """The public address of a path, as printed into QR codes (settings.SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
