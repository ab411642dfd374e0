"""A Babel extractor for the map page's HTML: the texts of ``data-i18n`` attributes.

``<h2 data-i18n="Proposals">Forslag</h2>`` marks "Proposals" for the ``map`` catalog; the page
replaces the element's text with the translation (``data-i18n-placeholder`` and
``data-i18n-title`` do the same for those attributes). Named in ``smartspot/locale/map.cfg``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from html.parser import HTMLParser
from typing import IO, Any

ATTRIBUTES = ("data-i18n", "data-i18n-placeholder", "data-i18n-title", "data-i18n-aria-label")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.found.append((self.getpos()[0], value))


def extract_html(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield ``(line, funcname, message, comments)`` for every marked attribute (Babel's
    extraction-method interface)."""
    collector = _Collector()
    collector.feed(fileobj.read().decode(options.get("encoding", "utf-8")))
    collector.close()
    for line, text in collector.found:
        yield line, None, text, []
