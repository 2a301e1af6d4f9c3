"""Turn a page (HTML or plain visible text) into a flat list of lines.

Site parsers read blocks off these lines by their structure (a length line, a
programme line, paragraphs, bullets), so the same grammar reads a saved text
capture and the live HTML, and a change of markup or class names does not empty
the catalogue.

HTML is read as a browser lays it out: block-level elements (``div``, ``p``,
``section``, ``li``, headings, table cells, ...) begin and end a line; inline
elements (``a``, ``em``, ``strong``, ``span`` inside running text) do not, and
``br`` breaks the line. An inline element with a class of its own that stands
beside other elements rather than inside running text (a CMS field such as
``<span class="len">3 hours</span>``) is a line of its own. Chrome is removed by
role: ``nav``, ``aside``, the site's ``header``/``footer`` (not those inside an
``article`` or ``section``), hidden elements, scripts, and forms' own controls
(a form's other content is kept). A list item is one bullet line; a line of any
element that opens with a bullet marker ("•", "-", "–", "*", "o") is a bullet too.

The tree is walked once, iteratively (no recursion, no selector with ``:has()``),
so the cost is linear in the page; a page nested deeper than ``MAX_DEPTH`` is
refused before it reaches the HTML parser, whose tree building is quadratic in
nesting depth.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from operator import sub

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
_MARKERS = frozenset("•●▪◦*·–—-o")  # the first characters a bullet line can have
_MAX_TITLE = 200
# Control characters other than tab, line feed, form feed and carriage return.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")

# The deepest nesting a page may have (browsers cap their DOM depth at 512; real CMS pages
# stay under 60). Deeper pages are refused: building their tree costs depth x tags.
MAX_DEPTH = 512
# Elements that do not hold the HTML parser's stack up: void ones, and those whose end tag
# is implied by the next sibling (p, li, td, ...).
_NOT_NESTING = frozenset("""
p li dd dt br img input meta link hr wbr area base col embed source track param option optgroup tr td th
tbody thead tfoot colgroup caption rb rt rp rtc html head body image keygen frame basefont bgsound
""".split())
_ANY_TAG_RE = re.compile(r"<(/?)[a-zA-Z]")
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
_STEP = {"": 1, "/": -1}
# A tag with thousands of attributes costs the HTML parser attributes squared (each new one is
# checked against the others); real tags have a handful, so only long tags are looked at.
MAX_ATTRIBUTES = 256
_LONG_TAG_RE = re.compile(r"<[a-zA-Z][^<>]{2048,}")
_QUOTED_RE = re.compile(r"\"[^\"<>]*\"|'[^'<>]*'")

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements laid out as blocks: each begins and ends a line.
_BLOCK = frozenset("""
address article aside blockquote body center details dialog dd dir div dl dt fieldset figcaption figure
footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol p pre section summary table
tbody thead tfoot tr td th caption ul search
""".split())
# Never content: dropped with everything inside.
_SKIP = frozenset("""
script style noscript template iframe svg math nav aside head title object embed canvas video audio map
input select textarea button option optgroup datalist output progress meter dialog
""".split())
_LISTS = frozenset(("ul", "ol", "dl", "menu", "dir", "table"))
_SECTIONING = frozenset(("article", "section", "main", "aside", "nav"))
_BOLD = frozenset(("strong", "b"))
# Hidden or navigational by attribute: removed before the walk (one linear selector pass).
_HIDDEN = ("[hidden], [aria-hidden=true], [style*='display:none'], [style*='display: none'], "
           "[role=navigation], [role=banner], [role=contentinfo], [role=search], [role=complementary], "
           ".visually-hidden, .sr-only, .element-invisible, .screen-reader-text")


@dataclass(slots=True)
class Line:
    kind: str  # heading | text | bullet | blank
    text: str
    level: int = 0  # heading level (1-6); 0 otherwise
    href: str | None = None
    bold: bool = False  # the whole line is bold (strong/b): a title on some pages


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
    bad = len(_CONTROL_RE.findall(sample))
    if bad > len(sample) // 20:
        raise ParseError(url, "the page is mostly control characters (expected an HTML page or its visible text)")


def _max_depth(steps: list[int]) -> int:
    """The deepest point of a walk of +1/-1 steps that never goes below 0."""
    if not steps:
        return 0
    prefix = list(accumulate(steps))
    if min(prefix) >= 0:  # no end tag without its start: the plain running sum
        return max(prefix)
    lows = accumulate(prefix, min, initial=0)
    next(lows)
    return max(map(sub, prefix, lows))


def nesting_depth(content: str) -> int:
    """How deep the page's elements nest, read off its tags in one pass (no tree built).

    Counts start tags that stay open (not void, not self-closed, not p/li/td-like, whose end
    is implied) against end tags; an end tag with nothing open counts nothing. A first,
    cheaper pass counts every tag, an upper bound: a page it finds shallow gets that bound
    back; above MAX_DEPTH the exact count is made."""
    bound = _max_depth(list(map(_STEP.__getitem__, _ANY_TAG_RE.findall(content))))
    if bound <= MAX_DEPTH:
        return bound
    nn = _NOT_NESTING
    return _max_depth([0 if closed or name in nn or name.lower() in nn else (-1 if slash else 1)
                       for slash, name, closed in _TAG_RE.findall(content)])


# most_attributes looks for tags of 2,048 characters or more; such a tag holds a run of that many
# characters without "<" or ">", which covers a whole aligned window of this size.
_LONG_TAG_WINDOW = 1024


def most_attributes(content: str) -> int:
    """The most attributes any one tag of the page has (only long tags can have many)."""
    # Most pages have a "<" or ">" in every window, so no long tag: that is told by a find per
    # window, without trying the pattern at each of the page's tags.
    find, w = content.find, _LONG_TAG_WINDOW
    if all(find("<", a, a + w) >= 0 or find(">", a, a + w) >= 0 for a in range(0, len(content) - w + 1, w)):
        return 0
    most = 0
    for m in _LONG_TAG_RE.finditer(content):
        most = max(most, len(_QUOTED_RE.sub(" ", m.group()).split()) - 1)
    return most


def check_depth(content: str, url: str) -> None:
    """Refuse a page nested deeper than MAX_DEPTH, or with a tag of more than MAX_ATTRIBUTES
    attributes, before any tree is built (the HTML parser is quadratic in both)."""
    depth = nesting_depth(content)
    if depth > MAX_DEPTH:
        raise ParseError(url, f"the markup nests {depth} elements deep (more than {MAX_DEPTH}): "
                              "refused as malformed (expected an HTML page a browser can lay out)")
    attributes = most_attributes(content)
    if attributes > MAX_ATTRIBUTES:
        raise ParseError(url, f"a tag has {attributes} attributes (more than {MAX_ATTRIBUTES}): "
                              "refused as malformed (expected an HTML page a browser can lay out)")


def _safe(content: str) -> bool:
    return nesting_depth(content) <= MAX_DEPTH and most_attributes(content) <= MAX_ATTRIBUTES


def classify(text: str) -> Line:
    """One line of visible text: a bullet (by its marker) or plain text."""
    if _LONE_O.match(text):
        return Line(BULLET, "")
    m = _BULLET_RE.match(text)
    if m and not _looks_like_range(text):
        return Line(BULLET, clean(text[m.end():]))
    return Line(TEXT, clean(text))


def text_lines(content: str) -> list[Line]:
    """Lines of a plain-text capture: one line each, bullets recognised by marker."""
    out: list[Line] = []
    for raw in content.splitlines():
        if not raw.strip():
            out.append(Line(BLANK, ""))
        else:
            out.append(classify(raw))
    return out


def _looks_like_range(raw: str) -> bool:
    # "-3 hours" is no bullet list item; a leading hyphen before a digit is kept as text.
    s = raw.lstrip()
    return s.startswith("-") and len(s) > 1 and s[1].isdigit()


def _walk(root, sectioned: bool) -> list[Line]:
    """The lines of a tree, built while walking it once in document order.

    The state of the line being built is kept in locals (the text runs of the open line, its
    links, whether every run is bold), and the commonest element, a block holding one run of
    text (most ``<p>``, ``<li>``, field ``<div>``s), makes its line at once, without going
    through the buffer: the walk costs a few operations per node."""
    out: list[Line] = []
    buf: list[str] = []  # the text runs of the line being built
    links: list[list] = []  # [href, start, end] in buf
    # Open list items, innermost last: [own lines so far, index of the first, len(out) at start].
    items: list[list[int]] = []
    all_bold = True  # every run of the open line is inside strong/b
    bold = 0  # open strong/b elements
    level = 0  # heading level of the open heading
    markers, classify_, line_ = _MARKERS, classify, Line

    def flush() -> None:
        nonlocal all_bold
        if not buf:
            return
        text = " ".join("".join(buf).split())
        href = None
        if len(links) == 1 and text and len(text) <= _MAX_TITLE:
            h, a, b = links[0]
            if h is not None and clean("".join(buf[a:b if b >= 0 else len(buf)])) == text:
                href = h
        is_bold = all_bold
        buf.clear()
        links.clear()
        all_bold = True
        if not text:
            return
        if level:
            line = line_(HEADING, text, level, href, is_bold)
        elif text[0] in markers:
            line = classify_(text)
            if line.kind == TEXT:
                line.href = href
                line.bold = is_bold
        else:
            line = line_(TEXT, text, 0, href, is_bold)
        if items:
            item = items[-1]
            item[0] += 1
            if item[0] == 1:
                item[1] = len(out)
        out.append(line)

    def add(line: Line) -> None:
        if items:
            item = items[-1]
            item[0] += 1
            if item[0] == 1:
                item[1] = len(out)
        out.append(line)

    def close_item() -> None:
        """A list item that made one line of its own is a bullet; an empty one an empty
        bullet; one that made several lines (a listing row written as <li>) holds lines."""
        flush()
        own, first, start = items.pop()
        if own == 1:
            line = out[first]
            if line.kind == TEXT:
                out[first] = line_(BULLET, line.text)
        elif own == 0 and len(out) == start:
            add(line_(BULLET, ""))

    # Frames of open elements: (node, tag, kind, saved): kind 1 a block, 2 an inline element.
    stack: list[tuple] = []
    push, pop = stack.append, stack.pop
    sect = 1 if sectioned else 0
    in_form = 0
    block, skip, headings, bold_tags, sectioning = _BLOCK, _SKIP, _HEADINGS, _BOLD, _SECTIONING
    node = root.first_child  # (first_child: `child` is an alias that costs a second lookup)
    while node is not None:
        tag = node.tag
        if tag == "-text":
            t = node.text_content
            if t:
                if not t.isspace():
                    if not bold:
                        all_bold = False
                    buf.append(t)
                elif buf:  # white space matters only between words
                    buf.append(" ")
        elif tag in block:
            if tag in skip or ((tag == "header" or tag == "footer") and not sect) or (
                    in_form and tag == "legend"):
                pass
            else:
                child = node.first_child
                is_item = tag == "li"
                if child is None:
                    flush()
                    if is_item:  # an empty list item: an empty bullet
                        add(line_(BULLET, ""))
                elif child.next is None and tag not in sectioning and tag != "form" and child.tag == "-text":
                    # A block holding one run of text: its line at once.
                    if buf:
                        flush()
                    t = child.text_content
                    if links:  # inside a link that has no text yet: the line is the link's
                        if is_item:
                            items.append([0, 0, len(out)])
                        saved = level
                        level = headings.get(tag, saved)
                        if t and not t.isspace():
                            all_bold = bold > 0
                            buf.append(t)
                        if is_item:
                            close_item()
                        else:
                            flush()
                        level = saved
                    else:
                        if not t:
                            text = ""
                        elif t.isprintable() and "  " not in t and t[0] != " " and t[-1] != " ":
                            text = t  # already clean: no white space but single inner spaces
                        else:
                            text = " ".join(t.split())
                        if is_item:
                            if not text:
                                add(line_(BULLET, ""))
                            elif level:
                                out.append(line_(HEADING, text, level, None, bold > 0))
                            elif text[0] in markers:
                                line = classify_(text)
                                out.append(line if line.kind != TEXT else line_(BULLET, line.text))
                            else:
                                out.append(line_(BULLET, text))
                        elif text:
                            lv = headings.get(tag, level)
                            if lv:
                                line = line_(HEADING, text, lv, None, bold > 0)
                            elif text[0] in markers:
                                line = classify_(text)
                                if line.kind == TEXT:
                                    line.bold = bold > 0
                            else:
                                line = line_(TEXT, text, 0, None, bold > 0)
                            if items:
                                item = items[-1]
                                item[0] += 1
                                if item[0] == 1:
                                    item[1] = len(out)
                            out.append(line)
                else:
                    flush()
                    if is_item:
                        items.append([0, 0, len(out)])
                    push((node, tag, 1, level))
                    lv = headings.get(tag, 0)
                    if lv:
                        level = lv
                    if tag in sectioning:
                        sect += 1
                    elif tag == "form":
                        in_form += 1
                    node = child
                    continue
        elif tag == "br":
            flush()
        elif tag is None or tag[0] in "-!#_" or tag in skip or (in_form and tag == "label"):
            pass  # comments, doctype; never content
        else:
            child = node.first_child
            if child is not None:  # inline
                field = False
                if not level and "class" in node.attrs and _stands_alone(node):
                    field = True
                    flush()
                if tag in bold_tags:
                    bold += 1
                link = None
                if tag == "a":
                    link = [node.attrs.get("href"), len(buf), -1]
                    links.append(link)
                push((node, tag, 2, (field, link)))
                node = child
                continue
        # Leave finished elements, then go to the next sibling.
        while True:
            nxt = node.next
            if not buf:
                # White space between lines (two in five nodes of a typical page): with no line
                # open it adds nothing, so it is stepped over, told in C (no string is made).
                while nxt is not None and nxt.is_empty_text_node:
                    nxt = nxt.next
            if nxt is not None:
                node = nxt
                break
            if not stack:
                node = None
                break
            node, tag, kind, saved = pop()
            if kind == 1:
                if tag == "li":
                    close_item()
                else:
                    flush()
                level = saved
                if tag in sectioning:
                    sect -= 1
                elif tag == "form":
                    in_form -= 1
            else:
                field, link = saved
                if tag in bold_tags:
                    bold -= 1
                if link is not None:
                    link[2] = len(buf)
                if field:
                    flush()
    flush()
    return out


def _stands_alone(node) -> bool:
    """An inline element that is not part of running text: its parent holds no text of its own,
    and no sibling is a bare separator ("|", "·", "/"), which joins fields into one visible line
    (``<span>Dec 6, 2025</span> <span class="sep">|</span> <span>Yorkton ...</span>``)."""
    parent = node.parent
    if parent is None:
        return False
    for child in parent.iter(include_text=True):
        if child.tag == "-text":
            if not child.text_content.isspace():
                return False
        elif child.text().strip() in _SEPARATORS:
            return False
    return True


_SEPARATORS = frozenset({"|", "·", "•", "/", "–", "—", "-", ","})


def html_lines(content: str, url: str) -> list[Line]:
    """Lines of an HTML page's main content, in document order."""
    check_depth(content, url)
    tree = LexborHTMLParser(content)
    for node in tree.css(_HIDDEN):
        node.decompose()
    root = tree.css_first("main") or tree.css_first("[role=main]")
    sectioned = root is not None
    if root is None:
        root = tree.body
    if root is None:
        raise ParseError(url, "the HTML has no body (expected a page with the catalogue in it)")
    return _walk(root, sectioned)


def page_lines(content: str, url: str) -> tuple[list[Line], bool]:
    """Lines of a page, HTML or text; also says whether it was HTML."""
    check_text(content, url)
    with paused_gc():
        if looks_like_html(content):
            return html_lines(content, url), True
        return text_lines(content), False


def canonical_url(content: str, depth_checked: bool = False) -> str | None:
    """The page's own URL, from <link rel=canonical>, where an HTML page has one: the first such
    link of the page's first 64 KiB.

    ``depth_checked``: ``check_depth`` has passed on this content (a parser calls this after
    ``page_lines``); then a link in the page's ``<head>`` is read off a parse of the head alone
    (``_canonical_in_head``), not of 64 KiB."""
    if not looks_like_html(content):
        return None
    if depth_checked:
        found = _canonical_in_head(content)
        if found is not _NOT_TOLD:
            return found
    head = content[:65536]
    if not _safe(head):
        return None
    node = LexborHTMLParser(head).css_first("link[rel=canonical]")
    return node.attributes.get("href") if node is not None else None


_NOT_TOLD = object()


def _canonical_in_head(content: str):
    """``canonical_url``'s answer where it can be told from the head alone, else _NOT_TOLD.

    The parse of a prefix of the page (up to its first "</head>") builds the same nodes as the
    parse of 64 KiB up to there, and nothing later can come before a node of the <head> in
    document order (later head elements are appended to it; foster parenting and misnested
    tags move nodes of the body only). So a canonical link found in the <head> of the short
    parse is the first one of the long parse too. The long parse's own guard (``_safe`` on
    64 KiB) holds: its nesting is at most the whole page's, which ``check_depth`` passed, and
    its tags are the page's where the 64 KiB do not end inside a tag (their last "<" or ">" is
    a ">"), so none has more attributes than the page's."""
    end = content.find("</head>", 0, 65536)
    if end < 0 or content.rfind(">", 0, 65536) < content.rfind("<", 0, 65536):
        return _NOT_TOLD
    node = LexborHTMLParser(content[:end + 7]).css_first("link[rel=canonical]")
    if node is None:
        return _NOT_TOLD
    parent = node.parent
    if parent is None or parent.tag != "head":
        return _NOT_TOLD
    return node.attributes.get("href")


_last_next: tuple[str, tuple[str, ...]] | None = None  # the last page asked about (by identity) and its answer


def next_page_urls(content: str) -> list[str]:
    """Links to the next page of a paginated listing (rel=next, or a pager's 'next' item).

    The crawl asks this of a page and then a parser's find_links asks it of the same page
    (the same str object): the second asking is answered from the first, not parsed again."""
    global _last_next
    last = _last_next
    if last is not None and last[0] is content:
        return list(last[1])
    urls: list[str] = []
    if looks_like_html(content) and _safe(content):
        tree = LexborHTMLParser(content)
        for node in tree.css("a[rel=next], link[rel=next], .pager__item--next a, li.next a"):
            href = node.attributes.get("href")
            if href and href not in urls:
                urls.append(href)
    _last_next = (content, tuple(urls))
    return urls
