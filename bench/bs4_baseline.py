"""The parse baseline: our extraction with BeautifulSoup (html.parser) as the HTML tree.

The only difference from ``parsers.*.parse`` is the tree library: the three functions of
``parsers.lines`` that touch HTML (``html_lines``, ``canonical_url``, ``next_page_urls``)
are written here against BeautifulSoup (``html_lines`` runs the very walk of
``parsers.lines._walk`` over BeautifulSoup nodes), and ``parse_cupe`` / ``parse_aupe`` run the project's own parser modules with them
swapped in. So the block grammar is shared, and the ratio measures the tree library plus
our per-node work on it. ``tests/test_bench.py`` checks that both give equal listings on the
shipped sample pages and on generated ones.

BeautifulSoup is a bench-only dependency; nothing outside bench/ imports this module.
"""
from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction, Tag

from parsers import aupe_courses, cupe_workshops
from parsers.lines import _HIDDEN, Line, _walk, check_depth, looks_like_html
from schema.models import ParseResult



# The tree builder: "html.parser" (the standard library's), or "lxml" (a user's faster choice);
# bench.stages sets it through use_builder() for the "bs4-lxml" baseline.
_BUILDER = ["html.parser"]


def use_builder(name: str) -> None:
    _BUILDER[0] = name


def _soup(content: str) -> BeautifulSoup:
    return BeautifulSoup(content, _BUILDER[0])


class _Node:
    """A BeautifulSoup node seen through the few properties of a Lexbor node that
    ``parsers.lines._walk`` reads, so that both trees are walked by the same code."""

    __slots__ = ("n",)

    def __init__(self, n) -> None:
        self.n = n

    @property
    def tag(self) -> str:
        n = self.n
        if isinstance(n, Tag):
            return n.name
        return "-comment" if isinstance(n, (Comment, Doctype, ProcessingInstruction, Declaration)) else "-text"

    @property
    def first_child(self):
        n = self.n
        return _Node(n.contents[0]) if isinstance(n, Tag) and n.contents else None

    child = first_child

    @property
    def is_empty_text_node(self) -> bool:
        """A text node of ASCII white space only (Lexbor's test), as the walk steps over it."""
        n = self.n
        return (not isinstance(n, (Tag, Comment, Doctype, ProcessingInstruction, Declaration))
                and not str(n).strip(" \t\n\f\r"))

    @property
    def next(self):
        s = self.n.next_sibling
        return _Node(s) if s is not None else None

    @property
    def parent(self):
        p = self.n.parent
        return _Node(p) if p is not None else None

    @property
    def text_content(self) -> str:
        return str(self.n)

    @property
    def attrs(self) -> dict:
        return self.n.attrs

    def iter(self, include_text: bool = True):
        for c in self.n.contents:
            yield _Node(c)


def html_lines(content: str, url: str) -> list[Line]:
    """``parsers.lines.html_lines`` on a BeautifulSoup tree (the same walk, node for node)."""
    check_depth(content, url)
    soup = _soup(content)
    for node in soup.select(_HIDDEN):
        node.decompose()
    root = soup.find("main") or soup.find(attrs={"role": "main"})
    sectioned = root is not None
    if root is None:
        root = soup.body or soup
    return _walk(_Node(root), sectioned)


def canonical_url(content: str, depth_checked: bool = False) -> str | None:
    if not looks_like_html(content):
        return None
    node = _soup(content[:65536]).find("link", rel="canonical")
    return node.get("href") if node is not None else None


def next_page_urls(content: str) -> list[str]:
    if not looks_like_html(content):
        return []
    urls = []
    for node in _soup(content).select("a[rel=next], link[rel=next], .pager__item--next a, li.next a"):
        href = node.get("href")
        if href and href not in urls:
            urls.append(href)
    return urls


def page_lines(content: str, url: str) -> tuple[list[Line], bool]:
    from parsers.lines import check_text, text_lines

    check_text(content, url)
    if looks_like_html(content):
        return html_lines(content, url), True
    return text_lines(content), False


@contextmanager
def _bs4_tree(module):
    with mock.patch.object(module, "page_lines", page_lines):
        patches = [mock.patch.object(module, name, fn) for name, fn in
                   (("canonical_url", canonical_url), ("next_page_urls", next_page_urls)) if hasattr(module, name)]
        for p in patches:
            p.start()
        try:
            yield module
        finally:
            for p in patches:
                p.stop()


def parse_cupe(content: str, url: str) -> ParseResult:
    with _bs4_tree(cupe_workshops) as m:
        return m.parse(content, url)


def parse_aupe(content: str, url: str) -> ParseResult:
    with _bs4_tree(aupe_courses) as m:
        return m.parse(content, url)


PARSERS = {"cupe-workshops": parse_cupe, "aupe-courses": parse_aupe}
