"""Turn a page (HTML or plain visible text) into a flat list of lines.

Site parsers read blocks off these lines by their structure (a length line, a
programme line, paragraphs, bullets), so the same grammar reads a saved text
capture and the live HTML, and a change of CSS class names does not empty the
catalogue. Page chrome (header, nav, footer, aside, scripts) is dropped here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from parsers.errors import ParseError
from schema.batch import paused_gc

HEADING = "heading"
TEXT = "text"
BULLET = "bullet"
BLANK = "blank"

# Bullet markers seen on the sites: "•", "- ", "-" with no space, "–", "o" alone, "*".
_BULLET_RE = re.compile(r"^\s*(?:[•●▪◦*·–—]\s*|-\s*(?=\S)|o\s+(?=\S))")
_LONE_O = re.compile(r"^\s*o\s*$")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAX_TITLE = 200
_CHROME = "header, nav, footer, aside, script, style, noscript, template, form, iframe, svg"
_LEAF_BLOCKS = (
    "h1, h2, h3, h4, h5, h6, p, li, dt, dd, td, th, blockquote, "
    "div:not(:has(div, p, ul, ol, li, h1, h2, h3, h4, h5, h6, section, article, table, dl, blockquote))"
)


@dataclass(slots=True)
class Line:
    kind: str  # heading | text | bullet | blank
    text: str
    level: int = 0  # heading level (1-6); 0 otherwise
    href: str | None = None


def clean(text: str) -> str:
    """Collapse white space (NBSP and other Unicode spaces included) and strip."""
    return " ".join(text.split())


def looks_like_html(content: str) -> bool:
    head = content[:2048].lstrip().lower()
    return head.startswith("<") or "<html" in head or "<body" in head or "<div" in head


def check_text(content: str, url: str) -> None:
    """Refuse pages that are not text at all, with a reason a person can act on."""
    if not content or not content.strip():
        raise ParseError(url, "the page is empty (expected an HTML page or its visible text)")
    sample = content[:4096]
    if "\x00" in sample:
        raise ParseError(url, "the page is binary, not text (expected an HTML page or its visible text)")
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    if bad > len(sample) // 20:
        raise ParseError(url, "the page is mostly control characters (expected an HTML page or its visible text)")


def text_lines(content: str) -> list[Line]:
    """Lines of a plain-text capture: one line each, bullets recognised by marker."""
    out: list[Line] = []
    for raw in content.splitlines():
        if not raw.strip():
            out.append(Line(BLANK, ""))
            continue
        if _LONE_O.match(raw):
            out.append(Line(BULLET, ""))
            continue
        m = _BULLET_RE.match(raw)
        if m and not _looks_like_range(raw):
            out.append(Line(BULLET, clean(raw[m.end():])))
        else:
            out.append(Line(TEXT, clean(raw)))
    return out


def _looks_like_range(raw: str) -> bool:
    # "-3 hours" is no bullet list item; a leading hyphen before a digit is kept as text.
    s = raw.lstrip()
    return s.startswith("-") and len(s) > 1 and s[1].isdigit()


def html_lines(content: str, url: str) -> list[Line]:
    """Lines of an HTML page's main content, in document order."""
    tree = LexborHTMLParser(content)
    for node in tree.css(_CHROME):
        node.decompose()
    root = tree.css_first("main") or tree.css_first("[role=main]") or tree.body
    if root is None:
        raise ParseError(url, "the HTML has no body (expected a page with the catalogue in it)")
    # Paragraphs and blocks inside a list item are read as part of that item.
    in_items = {n.mem_id for n in root.css("li p, li div, li li")}
    out: list[Line] = []
    for node in root.css(_LEAF_BLOCKS):
        tag = node.tag
        text = clean(node.text(deep=True, separator=" "))
        if in_items and node.mem_id in in_items:
            continue
        if tag == "li":
            out.append(Line(BULLET, text))
            continue
        if not text:
            continue
        if tag in _HEADINGS:
            a = node.css_first("a")
            out.append(Line(HEADING, text, level=int(tag[1]), href=a.attributes.get("href") if a else None))
            continue
        href = _sole_link(node, text) if len(text) <= _MAX_TITLE else None  # titles are short
        out.append(Line(TEXT, text, href=href))
    return out


def _sole_link(node, text: str) -> str | None:
    """The href of a block that is nothing but one link (a title), else None.

    Walks the element children: several times faster than a CSS query per node."""
    link = None
    for child in node.iter(include_text=False):
        if link is not None or child.tag != "a":
            return None
        link = child
    if link is None or clean(link.text()) != text:
        return None
    return link.attributes.get("href")


def page_lines(content: str, url: str) -> tuple[list[Line], bool]:
    """Lines of a page, HTML or text; also says whether it was HTML."""
    check_text(content, url)
    with paused_gc():
        if looks_like_html(content):
            return html_lines(content, url), True
        return text_lines(content), False


def canonical_url(content: str) -> str | None:
    """The page's own URL, from <link rel=canonical>, where an HTML page has one."""
    if not looks_like_html(content):
        return None
    node = LexborHTMLParser(content[:65536]).css_first("link[rel=canonical]")
    return node.attributes.get("href") if node is not None else None


def next_page_urls(content: str) -> list[str]:
    """Links to the next page of a paginated listing (rel=next, or a pager's 'next' item)."""
    if not looks_like_html(content):
        return []
    tree = LexborHTMLParser(content)
    urls = []
    for node in tree.css("a[rel=next], link[rel=next], .pager__item--next a, li.next a"):
        href = node.attributes.get("href")
        if href and href not in urls:
            urls.append(href)
    return urls
