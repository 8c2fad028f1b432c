"""The naive baseline for the page parser: the same rules on BeautifulSoup + ``html.parser``.

Only the benchmark (``bench/classify.py``) and the tests use it, so a production run never pays
for importing BeautifulSoup; :mod:`transform.parse_html` holds the rules, shared by both.
"""

from __future__ import annotations

from collections.abc import Iterator

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from transform.models import Service
from transform.parse_html import _SKIPPED_TAGS, Tree, decode_page, parse_tree


def parse_service_page_bs4(body: bytes, record: str, url: str | None = None) -> Service:
    """The same parse on BeautifulSoup + ``html.parser``: the naive baseline for benchmarks."""
    html = decode_page(body, record)
    return parse_tree(_SoupTree(html), html, record, url)


class _SoupTree(Tree[Tag]):
    def __init__(self, html: str) -> None:
        soup = BeautifulSoup(html, "html.parser")
        for element in soup.find_all(_SKIPPED_TAGS):
            if not element.decomposed:
                element.decompose()
        self.root = soup
        self.body = soup.body or soup

    def walk(self, node: Tag) -> Iterator[tuple[str | None, Tag]]:
        for item in node.descendants:
            if isinstance(item, Tag):
                yield None, item
            # Exact type: comments, CDATA, doctypes are NavigableString subclasses.
            elif type(item) is NavigableString and item.parent is not None:
                yield str(item), item.parent

    def children(self, node: Tag) -> list[Tag]:
        return [child for child in node.children if isinstance(child, Tag)]

    def parent(self, node: Tag) -> Tag | None:
        return node.parent

    def tag(self, node: Tag) -> str:
        return node.name

    def attr(self, node: Tag, name: str) -> str | None:
        value = node.get(name)
        if value is None or isinstance(value, str):
            return value
        return " ".join(value)

    def own_text(self, node: Tag) -> str:
        return "".join(str(c) for c in node.children if type(c) is NavigableString)

    def select(self, node: Tag, css: str) -> list[Tag]:
        return list(node.select(css))

    def key(self, node: Tag) -> int:
        return id(node)
