"""PDF rendering for notices, guides and certificates (WeasyPrint).

Every resource a PDF needs travels inside the document: the stylesheet is read from our own
static folder and passed as a string, QR codes are data: URIs. The URL fetcher therefore refuses
every scheme but data:, so a template can never make WeasyPrint read a local file or the network.
"""

import hashlib
import re
import threading
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

    with translation.override(settings.LANGUAGE_CODE):  # official documents stay Chinese in the English UI
        html = render_to_string(template_name, context)
    fetcher, font_config = _renderer()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[_stylesheet()], pdf_variant=PDF_VARIANT, font_config=font_config)


_per_thread = threading.local()


def _renderer():
    """(URL fetcher, font configuration), kept for the thread's later documents. A new font
    configuration loads fontconfig's configuration and font list again and starts Pango's font cache
    empty (about 7 ms a document); our templates declare no @font-face, so it holds the installed fonts
    only, the same for every document. Per thread: neither Pango's font map nor the fetcher (which keeps
    the request it is opening) is to be shared between threads."""
    kept = getattr(_per_thread, "renderer", None)
    if kept is None:
        from weasyprint.pdf import fonts
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        if not isinstance(fonts.ffi, _OpenArrays):
            fonts.ffi = _OpenArrays(fonts.ffi)
        kept = _per_thread.renderer = (URLFetcher(allowed_protocols={"data"}), FontConfiguration())
    return kept


class _OpenArrays:
    """WeasyPrint's font subsetting (weasyprint.pdf.fonts) asks cffi for `hb_codepoint_t[<n>]`, n being
    the number of glyphs the document uses: a C type cffi has never seen for nearly every notice, which
    it parses with pycparser (about 5 ms, once or twice a document). The open array `hb_codepoint_t[]`
    filled with the same n values is the same memory, and cffi parses it once per process."""

    _SIZED = re.compile(r"(hb_codepoint_t)\[(\d+)\]")  # integers: no terminating NUL as char[] would get

    def __init__(self, ffi):
        self._ffi = ffi

    def __getattr__(self, name):
        return getattr(self._ffi, name)

    def new(self, cdecl, init=None):
        match = self._SIZED.fullmatch(cdecl) if isinstance(cdecl, str) else None
        if match and hasattr(init, "__len__") and len(init) == int(match[2]):
            cdecl = f"{match[1]}[]"
        return self._ffi.new(cdecl, init)


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
