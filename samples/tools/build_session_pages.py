"""Render the reconstructed session pages (samples/text/*.txt) as HTML.

Standard library only. Each text file is the visible text of one page, line for
line; this tool wraps it in markup that is a guess (the live HTML could not be
captured). ``render(text, style=..., titles=...)`` is also used by the tests to
produce several markups of the same text.

    python samples/tools/build_session_pages.py    # writes samples/archive/cupe-events/, aupe-events/
"""
from __future__ import annotations

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROME_TOP = {"Skip to main content", "Sign in", "Events"}
FOOTER = "Our social site pages"
_PAGER = re.compile(r"^(?:\d{1,3}|Next ›|Last »|‹ Previous|« First)$")
_DATE = re.compile(r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,\s+)?(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}\b|\d{1,2}\s+[A-Z][a-z]{2})")
_LABEL = re.compile(r"^(Description|This course is for|Learning outcomes|Note|Prerequisites):\s*(.*)$")

# Titles the listing rows carry on the live page (links to the event page), where SITES.md
# names the workshop: description start -> title as written.
LISTING_TITLES = {
    "This workshop is for all members in an elected position": "LET - Financial Essentials",
    "Once secretary-treasurers and trustees complete": "LET - Financial Officers",
    "What does a CUPE steward do?": "Introduction to Stewarding",
}

PAGES = [
    # text file, archive file, canonical URL, kind
    ("cupe-events-page0.txt", "cupe-events/events.html", "https://cupe.ca/mrm-union-education/events", "listing"),
    ("cupe-events-page1.txt", "cupe-events/events-page1.html", "https://cupe.ca/mrm-union-education/events?page=1", "listing"),
    ("cupe-event-school.txt", "cupe-events/event-1902.html", "https://cupe.ca/mrm-union-education/event/1902", "event"),
    ("cupe-event-finances.txt", "cupe-events/event-2010.html", "https://cupe.ca/mrm-union-education/event/2010", "event"),
    ("aupe-event.txt", "aupe-events/introduction-workers-history.html", "https://aupe.org/events/introduction-workers-history", "aupe"),
]


def _e(s: str) -> str:
    return html.escape(s, quote=True)


def render(text: str, *, kind: str, canonical: str | None = None, style: str = "drupal",
           titles: bool = True, next_url: str | None = None) -> str:
    """One page of HTML for the visible text. style: 'drupal' (divs, spans) or 'plain' (p, h2, ul)."""
    lines = [l.rstrip() for l in text.splitlines()]
    body: list[str] = []
    bullets: list[str] = []
    pager: list[str] = []

    def flush() -> None:
        if bullets:
            body.append("<ul>" + "".join(f"<li>{_e(b)}</li>" for b in bullets) + "</ul>")
            bullets.clear()

    meeting_next = {i for i, l in enumerate(lines[:-1]) if _DATE.match(lines[i + 1]) and not _DATE.match(l)}
    seen_date = False
    for i, line in enumerate(lines):
        if not line.strip() or line in CHROME_TOP:
            continue
        if line == FOOTER:
            break
        if _PAGER.match(line):
            pager.append(line)
            continue
        if line.startswith("• "):
            bullets.append(line[2:])
            continue
        flush()
        if "|" in line and _DATE.match(line):
            parts = [p.strip() for p in line.split("|")]
            if titles and kind == "listing":
                desc = lines[i + 1] if i + 1 < len(lines) else ""
                for start, title in LISTING_TITLES.items():
                    if desc.startswith(start):
                        body.append(f'<h3 class="event-title">{_e(title)}</h3>')
            if style == "drupal":
                spans = ' <span class="sep">|</span> '.join(f'<span class="f{k}">{_e(p)}</span>' for k, p in enumerate(parts))
                body.append(f'<div class="views-row"><div class="event-meta">{spans}</div></div>')
            else:
                body.append(f"<p>{_e(' | '.join(parts))}</p>")
        elif _DATE.match(line):
            tag = "div" if style == "drupal" else "p"
            body.append(f'<{tag} class="date-display-range">{_e(line)}</{tag}>')
            seen_date = True
        elif i in meeting_next and kind != "listing":
            level = 1 if not seen_date else 2
            if kind == "aupe":
                level = 1
            body.append(f"<h{level}>{_e(line)}</h{level}>")
        elif kind == "aupe" and (m := _LABEL.match(line)):
            rest = f" {_e(m[2])}" if m[2] else ""
            body.append(f"<p><strong>{_e(m[1])}:</strong>{rest}</p>")
        else:
            tag = "div" if style == "drupal" and kind != "aupe" else "p"
            body.append(f"<{tag}>{_e(line)}</{tag}>")
    flush()
    pager_html = ""
    if pager:
        items = "".join(
            f'<li><a href="{_e(next_url)}" rel="next">{_e(p)}</a></li>' if (p == "Next ›" and next_url)
            else f"<li>{_e(p)}</li>" for p in pager)
        pager_html = f'<nav class="pager"><ul>{items}</ul></nav>'
    head = f'<link rel="canonical" href="{_e(canonical)}">' if canonical else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" + head +
            "<title>Events</title></head><body>\n"
            '<header><a href="#main">Skip to main content</a><nav><a href="/">Home</a></nav></header>\n'
            '<main id="main"><div class="view-content">\n' + "\n".join(body) + "\n</div>" + pager_html +
            "</main>\n<footer><h2>" + FOOTER + "</h2></footer>\n</body></html>\n")


def main(out_root: Path = ROOT / "archive") -> None:
    for txt, out, url, kind in PAGES:
        text = (ROOT / "text" / txt).read_text(encoding="utf-8")
        nxt = "?page=1" if txt == "cupe-events-page0.txt" else None
        target = out_root / out
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(text, kind=kind, canonical=url, next_url=nxt), encoding="utf-8")
        print(target)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "archive")
