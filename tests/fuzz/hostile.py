"""The shared list of hostile and careless values, and a small crawler that finds the portal's forms as
each role sees them (every <form method="post"> on every page reachable from the role's start pages)."""

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile

from tests import samples

# What a hostile or careless user types into any field.
HOSTILE_VALUES = {
    "full_width_digits": "１３８００１３８０００",
    "arabic_indic_digits": "١٣٨٠٠١٣٨٠٠٠",
    "zero_width": "11010519491231002\u200bX\u200d\ufeff",
    "ten_thousand_chars": "办" * 10_000,
    "nul": "abc\x00def",
    "script": '<script>alert("x")</script>',
    "far_future_date": "9999-12-31",
    "far_past_date": "0001-01-01",
    "negative": "-1",
    "huge_number": "99999999999999999999999999",
    "sql_ish": "1' OR '1'='1",
    "empty": "",
}


def hostile_file(name: str = "扫描件.png") -> SimpleUploadedFile:
    """A valid PNG with a zip archive appended (a polyglot)."""
    return SimpleUploadedFile(name, samples.PNG + samples.zip_bytes(), content_type="image/png")


@dataclass
class FoundForm:
    action: str
    fields: list = field(default_factory=list)  # (name, kind, value)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[FoundForm] = []
        self.links: list[str] = []
        self._current: FoundForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._current = FoundForm(action=attrs.get("action") or "")
            else:
                self._current = None
                if attrs.get("action"):
                    self.links.append(attrs["action"])
        elif self._current is not None and tag in ("input", "textarea", "select", "button") and attrs.get("name"):
            kind = attrs.get("type", "text").lower() if tag in ("input", "button") else tag
            if tag == "button":
                kind = "submit" if kind in ("submit", "text") else kind
            self._current.fields.append((attrs["name"], kind, attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def parse_page(html: str) -> tuple[list[FoundForm], list[str]]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms, parser.links


SKIP_PREFIXES = ("/admin/", "/django-admin/", "/static/", "/media/", "/logout", "/__")
# Downloads (PDFs, exports, stored files) hold no forms and cost a rendering each.
SKIP_PARTS = ("/documents/", "/materials/", ".pdf", "/export/", "result-sample", "/verify/")


def crawl(client, start_urls, *, limit: int = 60) -> dict[str, FoundForm]:
    """{action path: form} of every POST form on the pages reachable from start_urls (HTML only,
    internal links only, at most `limit` pages)."""
    seen_paths: set[str] = set()
    queue = list(start_urls)
    forms: dict[str, FoundForm] = {}
    while queue and len(seen_paths) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path in seen_paths or parts.path.startswith(SKIP_PREFIXES):
            continue
        if any(part in parts.path for part in SKIP_PARTS):
            continue
        seen_paths.add(parts.path)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page_forms, links = parse_page(response.content.decode(errors="replace"))
        for form in page_forms:
            action = urlsplit(urljoin(url, form.action or url)).path
            if not action.startswith(SKIP_PREFIXES):
                forms.setdefault(action, form)
        for link in links:
            target = urljoin(url, link)
            if urlsplit(target).path not in seen_paths:
                queue.append(target)
    return forms


def payload(form: FoundForm, value: str) -> dict:
    """Every field of the form given the hostile value; file inputs get a polyglot; the CSRF token and the
    submit buttons keep theirs (a user can change them, but then the form is just not found)."""
    data: dict = {}
    for name, kind, original in form.fields:
        if name == "csrfmiddlewaretoken":
            continue
        if kind == "file":
            data[name] = hostile_file()
        elif kind in ("submit", "image", "reset"):
            data.setdefault(name, original)
        elif kind in ("checkbox", "radio"):
            data[name] = value if value else (original or "on")
        else:
            data[name] = value
    return data


TODAY = datetime.date.today()
