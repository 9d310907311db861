"""Walk every page a role can reach by its links and check each with axe-core (WCAG 2.1 A and AA)
and for sideways scrolling at phone width.

The crawl starts at the role's landing page and follows the links on each page (same origin, GET
only), keeping one page per URL pattern, so pages added later are checked without a list to keep.
axe-core comes from the npm registry (package.json) and is injected into each page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Not pages of the portal: Django's own admin, files and actions reached by a link.
SKIP_PREFIXES = ("/django-admin/", "/static/", "/media/", "/logout/", "/large-text/", "/i18n/")
SKIP_SUFFIXES = (".pdf", ".zip", ".xlsx", ".csv", ".png", ".jpg", ".svg", ".json")

# Language × text size × width. axe-core runs where each value of each factor meets it (Chinese
# at desktop width in normal text, English on a phone in large text); sideways scrolling, which only
# a narrow screen shows, is checked at 375 px in both languages and both text sizes.
VARIANTS = [
    ("zh-hans", False, 1280, True),
    ("en", True, 375, True),
    ("zh-hans", True, 375, False),
    ("en", False, 375, False),
]

OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@dataclass
class Finding:
    url: str
    variant: tuple
    problem: str


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)  # pattern -> url
    findings: list[Finding] = field(default_factory=list)


def page_pattern(path: str, query: str) -> str | None:
    """One key per kind of page: the URL name plus the names of the query parameters."""
    if path.startswith(SKIP_PREFIXES) or path.lower().endswith(SKIP_SUFFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    keys = sorted({part.split("=", 1)[0] for part in query.split("&") if part and not part.startswith("page")})
    return f"{match.view_name}?{'&'.join(keys)}"


def discover(page, start: str, broken: list, limit: int = 60, on_page=None) -> dict[str, str]:
    """Breadth-first over same-origin links from `start`; returns pattern -> first URL seen.
    Pages that answer with a server error are added to `broken`. `on_page(pattern, url)`, if given, is
    called on each new page while the browser shows it (so that a check needs no second visit)."""
    seen: dict[str, str] = {}
    queue = [start]
    origin = urlsplit(page.url or start).netloc
    while queue and len(seen) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        pattern = page_pattern(parts.path, parts.query)
        if pattern is None or pattern in seen:
            continue
        try:
            response = page.goto(url)
        except Exception as error:  # a link to a file starts a download instead of a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        seen[pattern] = page.url
        origin = urlsplit(page.url).netloc
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urlsplit(href)
            if target.netloc == origin and target.scheme in ("http", "https"):
                queue.append(re.sub(r"#.*$", "", href))
        if response.status >= 500:
            broken.append(Finding(url, (), f"answers {response.status}"))
        elif on_page is not None:
            on_page(pattern, page.url)
    return seen


def check_page(page, url: str, variant: tuple, axe_source: str) -> list[Finding]:
    """Open `url` in the variant (its cookies set on the context by set_variant) and check it."""
    page.set_viewport_size({"width": variant[2], "height": 900})
    response = page.goto(url)
    if response is not None and response.status >= 500:
        return [Finding(url, variant, f"answers {response.status}")]
    return check_shown_page(page, url, variant, axe_source)


def check_shown_page(page, url: str, variant: tuple, axe_source: str) -> list[Finding]:
    """Check the page the browser shows, at the variant's width (the variant's language and text size
    were set by set_variant before the page was loaded)."""
    language, large, width, run_axe = variant
    findings = []
    page.set_viewport_size({"width": width, "height": 900})
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow > 1:
        findings.append(Finding(url, variant, f"scrolls sideways by {overflow}px"))
    if not run_axe:
        return findings
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')
                + ' :: ' + (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))}));
        }"""
    )
    for violation in result:
        findings.append(Finding(url, variant, f"{violation['impact']} {violation['id']}: {violation['nodes']}"))
    return findings


def set_variant(context, base_url: str, variant: tuple) -> None:
    language, large, _width, _axe = variant
    cookies = [{"name": "django_language", "value": language, "url": base_url}]
    cookies.append({"name": "tb_large_text", "value": "1" if large else "0", "url": base_url})
    context.add_cookies(cookies)
