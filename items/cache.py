"""The catalogue's cached parts (DESIGN.md speed notes, docs/adr/0007, docs/caching.md): the rendered
catalogue, guide and bundle bodies, the facet lists and the guide PDFs, kept by the page cache
(hall/pagecache.py), which also serves the whole public pages to anonymous visitors.

Every key carries the catalogue's generation: publishing raises it (catalogue_cache_clear), so every cached
part and page is dropped at once, in every process within hall.pagecache.GENERATION_SECONDS."""

import hashlib

from django.utils.translation import get_language

from hall.pagecache import cached_value, generation, generation_bump
from hall.pagecache import local as cache  # noqa: F401 - this process's copies (tests empty them)

# The generation of everything cached from the published catalogue: its parts and its public pages.
CATALOGUE_PAGES = "catalogue"
TIMEOUT_SECONDS = 3600


def catalogue_cache_clear() -> None:
    """Raise the catalogue's generation (call it once the publication has committed)."""
    generation_bump(CATALOGUE_PAGES)


def catalogue_cache_key(kind: str, *parts) -> str:
    """Keyed by the active language too: a body rendered in English must never reach a Chinese reader."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"items:catalogue:{generation(CATALOGUE_PAGES)}:{get_language()}:{kind}:{digest}"


def cached_fragment(kind: str, parts: tuple, render):
    """The cached value (HTML, PDF bytes, facet lists) for (kind, parts), made by `render()` on a miss
    (and every time while the generation cannot be read: a publication meanwhile could not drop it)."""
    if not generation(CATALOGUE_PAGES):
        return render()
    return cached_value(catalogue_cache_key(kind, *parts), render, TIMEOUT_SECONDS)
