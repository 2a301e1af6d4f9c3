"""The seed catalogue as data, and renderers that write it in many markups.

The seed (``shared/seeds/004_f2b4f38a1485bd1c.txt``) is split into blocks here by the
capture's own plain rules (a length line opens a block, one of the four programme names on
the next line is its programme, "•"/"-"/"–" open a bullet, a lone "o" is an empty bullet),
independently of ``parsers/``; ``test_markups.py`` checks the split against the hand counts
of ``samples/README.md`` before using it.

The markups are drawn from what CMSs emit for a listing view (documented per option):

* Drupal views: ``<div class="views-row">`` per row, each field a ``<div class="field
  field--name-...">`` or, in "inline" field formatters, a ``<span class="field-content">``;
  the view may be grouped by a field (a group heading ``<h3>`` above its rows); exposed
  filters wrap the whole view in a ``<form>``; a view formatted as an HTML list puts rows in
  ``<li>``, as a table in ``<td>``; Olivero/Claro themes put an ``<article>`` with a
  ``<header>`` holding the title link.
* WordPress (Gutenberg): a flat post body, one ``<p>`` per line, lists as ``<ul><li>`` or
  pasted as "• item" paragraphs; the classic editor joins lines with ``<br>``.
* Wagtail StreamField: ``<section class="block-...">`` per block, rich text as ``<p>``,
  fields as ``<h3>``-``<h6>`` or ``<strong>`` with a class.

Chrome around the content is what those themes put there: a site ``<header>`` with a
``<nav>`` and a skip link, breadcrumbs, an ``<aside>`` sidebar, a search ``<form>``, a pager
``<nav>``, and a site ``<footer>`` (whose social-links heading is the capture's last line).
"""
from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field

PROGRAMMES = ("Bargaining Program", "Steward Learning Series", "Local Executive Training",
              "Health & Safety Learning Series")
_LENGTH = re.compile(r"^\d+ (?:hours?|days?|weeks?)$")
_MARKER = re.compile(r"^(?:•\s*|-\s*|–\s*)")


@dataclass
class Block:
    length: str
    programme: str | None = None
    lines: list[tuple[str, str]] = field(default_factory=list)  # ("p", text) or ("bullet", text)


def seed_blocks(seed_text: str) -> list[Block]:
    """The capture's blocks, between its header line and its footer line."""
    lines = seed_text.splitlines()
    lines = lines[lines.index("Skip to main content") + 1: lines.index("Our social site pages")]
    blocks: list[Block] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if _LENGTH.match(line):
            blocks.append(Block(line))
        elif blocks and not blocks[-1].lines and blocks[-1].programme is None and line in PROGRAMMES:
            blocks[-1].programme = line
        elif line == "o":
            blocks[-1].lines.append(("bullet", ""))
        elif _MARKER.match(line):
            blocks[-1].lines.append(("bullet", _MARKER.sub("", line)))
        else:
            blocks[-1].lines.append(("p", line))
    return blocks


@dataclass(frozen=True)
class Style:
    """One markup of the catalogue: every choice the renderer makes for the whole page."""

    wrapper: str  # div | section | article | li | td
    field_tag: str  # div | span | p | h3..h6 | strong
    classes: str  # drupal | random | none
    body: str  # structured | flat | br
    bullet: str  # li | li-p | marker
    marker: str  # "• " | "- " | "– " | "* "
    programme: str  # line | heading | inline  ("3 hours | Bargaining Program")
    titles: str  # none | heading | link | header
    title_level: int
    chrome: bool
    form: bool
    main: bool
    ws: str  # "" | "\n" | "\n  " | " "
    seed: int


_CLASS_WORDS = ["row", "item", "card", "teaser", "node", "field", "content", "meta", "text", "views",
                "wp-block", "block", "rich-text", "entry", "listing", "c-card", "u-mb-2", "x1"]


class Renderer:
    def __init__(self, style: Style) -> None:
        self.s = style
        self.rng = random.Random(style.seed)

    def cls(self, drupal: str, required: bool = False) -> str:
        s = self.s
        if s.classes == "drupal":
            name = drupal
        elif s.classes == "random" or required:
            name = " ".join(self.rng.sample(_CLASS_WORDS, self.rng.randint(1, 2))) + f" k{self.rng.randint(0, 99)}"
        else:
            return ""
        return f' class="{name}"'

    def field(self, text: str, drupal: str) -> str:
        tag = self.s.field_tag
        inline = tag in ("span", "strong")
        return f"<{tag}{self.cls(drupal, required=inline)}>{html.escape(text, quote=False)}</{tag}>"

    def body(self, lines: list[tuple[str, str]]) -> str:
        s, ws = self.s, self.s.ws
        e = lambda t: html.escape(t, quote=False)  # noqa: E731
        if s.body == "br":
            parts = [e(t) if k == "p" else e(s.marker + t if t else "o") for k, t in lines]
            return f"<div{self.cls('field field--name-body')}><p>" + ("<br>" + ws).join(parts) + "</p></div>"
        out, in_list = [], False
        for kind, text in lines:
            if kind == "bullet" and s.bullet != "marker" and s.body == "structured":
                if not in_list:
                    out.append("<ul>")
                    in_list = True
                out.append(f"<li><p>{e(text)}</p></li>" if s.bullet == "li-p" and text else f"<li>{e(text)}</li>")
                continue
            if in_list:
                out.append("</ul>")
                in_list = False
            if kind == "bullet":
                out.append(f"<p>{e(s.marker + text) if text else 'o'}</p>")
            else:
                out.append(f"<p>{e(text)}</p>")
        if in_list:
            out.append("</ul>")
        inner = ws.join(out)
        if s.body == "flat":
            return inner
        return f"<div{self.cls('field field--name-body')}>{ws}{inner}{ws}</div>"

    def title(self, n: int) -> tuple[str, str | None, str | None]:
        """Markup, title text, href of block n's title (as the style says)."""
        s = self.s
        if s.titles == "none":
            return "", None, None
        text, href = f"Workshop number {n + 1}", f"/mrm-union-education/workshop/{n + 1}"
        link = f'<a href="{href}">{html.escape(text)}</a>'
        h = s.title_level
        if s.titles == "heading" or (s.titles == "header" and s.wrapper not in ("article", "section")):
            # A <header> holds a title only inside sectioning content (Olivero's <article>); in a
            # <div> it would be the page's banner, so a CMS writes a plain heading there.
            return f"<h{h}{self.cls('workshop-title')}>{link}</h{h}>", text, href
        if s.titles == "link":
            return f'<div{self.cls("views-field-title")}>{link}</div>', text, href
        return f"<header><h{h}>{link}</h{h}></header>", text, href  # article header

    def block(self, n: int, b: Block) -> tuple[str, str | None, str | None]:
        s, ws = self.s, self.s.ws
        title, ttext, href = self.title(n)
        fields = []
        if s.programme == "inline" and b.programme:
            fields.append(self.field(f"{b.length} | {b.programme}", "field field--name-duration"))
        else:
            fields.append(self.field(b.length, "field field--name-duration"))
            if b.programme and s.programme != "heading":
                fields.append(self.field(b.programme, "field field--name-program"))
        meta = ws.join(fields)
        if s.wrapper in ("section", "article") and self.rng.random() < 0.5:
            meta = f"<section{self.cls('meta')}>{meta}</section>"  # the card layout
        inner = ws.join(x for x in (title, meta, self.body(b.lines)) if x)
        tag = s.wrapper
        return f"<{tag}{self.cls('views-row')}>{ws}{inner}{ws}</{tag}>", ttext, href

    def chrome_before(self) -> str:
        if not self.s.chrome:
            return ""
        return ('<header role="banner"><a href="#main-content" class="visually-hidden focusable">Skip to main '
                'content</a><nav><ul><li><a href="/about-us">About us</a></li><li><a href="/events">Events</a>'
                '</li></ul></nav></header>'
                '<nav aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li>Union education</li></ol></nav>')

    def chrome_after(self) -> str:
        if not self.s.chrome:
            return ""
        return ('<nav class="pager" role="navigation"><ul><li class="pager__item"><a href="?page=1">Next page</a>'
                '</li></ul></nav>'
                '<aside><h2>Related</h2><p>Find an event near you.</p></aside>'
                '<footer><h2>Our social site pages</h2><ul><li><a href="https://facebook.com/cupe">Facebook</a></li>'
                '</ul><p>© Canadian Union of Public Employees</p></footer>')

    def page(self, blocks: list[Block]) -> tuple[str, list[tuple[str | None, str | None]]]:
        """The page, and each block's (title, href) as rendered."""
        s, ws = self.s, self.s.ws
        rows, titles = [], []
        section = None
        for n, b in enumerate(blocks):
            if s.programme == "heading" and b.programme != section:
                heading = b.programme or "Other workshops"
                if b.programme or section is not None:
                    rows.append(f"<h2{self.cls('view-grouping-header')}>{html.escape(heading)}</h2>")
                section = b.programme
            row, ttext, href = self.block(n, b)
            titles.append((ttext, href))
            rows.append(row)
        if s.wrapper == "li":
            content = f"<ul{self.cls('views-view-list')}>{ws}{ws.join(rows)}{ws}</ul>"
            # A group heading inside a list is no list item: close and reopen the list around it.
            content = re.sub(r"(<h2[^>]*>.*?</h2>)", r"</ul>\1<ul>", content)
        elif s.wrapper == "td":
            content = "<table><tbody>" + ws.join(
                f"<tr>{r}</tr>" if r.startswith("<td") else f"</tbody></table>{r}<table><tbody>" for r in rows
            ) + "</tbody></table>"
        else:
            content = ws.join(rows)
        content = f'<h1>Workshops</h1>{ws}<div class="view-content">{ws}{content}{ws}</div>'
        if s.chrome:
            content = ('<form class="views-exposed-form"><label for="q">Text search terms</label>'
                       '<input id="q" name="q"><button>Apply</button></form>' + ws + content)
        if s.form:
            content = f'<form action="/mrm-union-education/workshops" method="get">{content}</form>'
        if s.main:
            content = f'<main id="main-content">{content}</main>'
        head = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Workshops | CUPE</title>'
                '<link rel="canonical" href="https://cupe.ca/mrm-union-education/workshops"></head><body>')
        return head + self.chrome_before() + ws + content + ws + self.chrome_after() + "</body></html>", titles
