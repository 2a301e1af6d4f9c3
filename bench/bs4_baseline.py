"""The parse baseline: our extraction with BeautifulSoup (html.parser) as the HTML tree.

The only difference from ``parsers.*.parse`` is the tree library: the three functions of
``parsers.lines`` that touch HTML (``html_lines``, ``canonical_url``, ``next_page_urls``)
are written here against BeautifulSoup, node for node as the Lexbor versions walk the
tree, and ``parse_cupe`` / ``parse_aupe`` run the project's own parser modules with them
swapped in. So the block grammar is shared, and the ratio measures the tree library plus
our per-node work on it. ``tests/test_bench.py`` checks that both give equal listings on the
shipped sample pages and on generated ones.

BeautifulSoup is a bench-only dependency; nothing outside bench/ imports this module.
"""
from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

from bs4 import BeautifulSoup, Tag

from parsers import aupe_courses, cupe_workshops
from parsers.errors import ParseError
from parsers.lines import BLANK, BULLET, HEADING, TEXT, Line, clean, looks_like_html
from schema.models import ParseResult

_CHROME = ("header", "nav", "footer", "aside", "script", "style", "noscript", "template", "form", "iframe", "svg")
_LEAF_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "td", "th", "blockquote"}
# A div is a leaf block when it holds none of these (the Lexbor selector's div:not(:has(...))).
_BLOCKISH = ["div", "p", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
             "table", "dl", "blockquote"]


def _soup(content: str) -> BeautifulSoup:
    return BeautifulSoup(content, "html.parser")


def _is_leaf_block(tag: Tag) -> bool:
    if tag.name in _LEAF_TAGS:
        return True
    return tag.name == "div" and tag.find(_BLOCKISH) is None


def html_lines(content: str, url: str) -> list[Line]:
    """``parsers.lines.html_lines`` on a BeautifulSoup tree."""
    soup = _soup(content)
    for node in soup.find_all(_CHROME):
        node.decompose()
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body
    if root is None:
        raise ParseError(url, "the HTML has no body (expected a page with the catalogue in it)")
    out: list[Line] = []
    for node in root.find_all(_is_leaf_block):
        tag = node.name
        text = clean(node.get_text(" "))
        if tag == "li":
            out.append(Line(BULLET, text))
            continue
        if not text:
            continue
        if tag in ("p", "li") and _inside_li(node):
            continue
        if tag[0] == "h" and len(tag) == 2 and tag[1].isdigit():
            a = node.find("a")
            out.append(Line(HEADING, text, level=int(tag[1]), href=a.get("href") if a else None))
        else:
            if tag == "p":
                out.append(Line(BLANK, ""))
            a = node.find("a")
            href = a.get("href") if a is not None and clean(a.get_text()) == text else None
            out.append(Line(TEXT, text, href=href))
    return out


def _inside_li(node: Tag) -> bool:
    parent = node.parent
    while parent is not None and parent.name not in ("main", "body", "html"):
        if parent.name == "li":
            return True
        parent = parent.parent
    return False


def canonical_url(content: str) -> str | None:
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
