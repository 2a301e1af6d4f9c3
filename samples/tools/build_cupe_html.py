#!/usr/bin/env python3
"""Rebuild the CUPE workshop catalogue fixture from a visible-text capture.

Usage: python build_cupe_html.py SEED.txt OUT.html

The capture (shared/seeds/004_f2b4f38a1485bd1c.txt) is the visible text of
https://cupe.ca/mrm-union-education/workshops. This script wraps that text in
Drupal-like markup. The text is the capture's, block by block; the markup and
class names are guesses. Standard library only.
"""
import html
import re
import sys

HEADER_LINE = "Skip to main content"
FOOTER_LINE = "Our social site pages"

DURATION_RE = re.compile(r"^\d+ (hour|hours|day|days|week|weeks)$")
PROGRAMS = {
    "Bargaining Program",
    "Steward Learning Series",
    "Local Executive Training",
    "Health & Safety Learning Series",
}
# Titles known from elsewhere (SITES.md): keyed by the opening of the block's
# description. Every other block gets no title: the capture dropped them.
KNOWN_TITLES = {
    "This workshop is for all members in an elected position": (
        "LET - Financial Essentials",
        "/mrm-union-education/workshop/38",
    ),
    # SITES.md names these two on event pages; their workshop numbers are guesses.
    "Once secretary-treasurers and trustees complete": (
        "LET - Financial Officers",
        "/mrm-union-education/workshop/39",
    ),
    "What does a CUPE steward do?": (
        "Introduction to Stewarding",
        "/mrm-union-education/workshop/12",
    ),
}

COMMENT = (
    "<!-- RECONSTRUCTION: built from the visible-text capture "
    "shared/seeds/004_f2b4f38a1485bd1c.txt; markup and class names are guesses, "
    "text is the capture's. -->"
)


def esc(text):
    return html.escape(text)


def bullet_text(line):
    """Return the item text if the line is a bullet, else None."""
    if line == "o":
        return ""
    for marker in ("•", "–", "-"):
        if line.startswith(marker):
            return line[len(marker):].strip()
    return None


def read_blocks(path):
    with open(path, encoding="utf-8") as fh:
        lines = [ln.rstrip("\r\n").rstrip() for ln in fh]
    # Keep only the part between the header line and the footer line.
    if HEADER_LINE in lines:
        lines = lines[lines.index(HEADER_LINE) + 1:]
    if FOOTER_LINE in lines:
        lines = lines[: lines.index(FOOTER_LINE)]
    blocks = []
    current = None
    for line in lines:
        if DURATION_RE.match(line.strip()):
            current = {"duration": line.strip(), "program": None, "body": []}
            blocks.append(current)
            continue
        if current is None:
            if line.strip():
                raise SystemExit("text before the first duration line: %r" % line)
            continue
        if (current["program"] is None and not current["body"]
                and line.strip() in PROGRAMS):
            current["program"] = line.strip()
            continue
        current["body"].append(line)
    return blocks


def render_body(body_lines):
    out = []
    items = None
    for line in body_lines:
        stripped = line.strip()
        item = bullet_text(stripped) if stripped else None
        if item is not None:
            if items is None:
                items = []
            items.append(item)
            continue
        if items is not None:
            out.append("<ul>" + "".join("<li>%s</li>" % esc(i) for i in items) + "</ul>")
            items = None
        if stripped:
            out.append("<p>%s</p>" % esc(stripped))
    if items is not None:
        out.append("<ul>" + "".join("<li>%s</li>" % esc(i) for i in items) + "</ul>")
    return out


def render_block(block):
    parts = ['<div class="views-row">']
    first = next((ln.strip() for ln in block["body"] if ln.strip()), "")
    for opening, (title, href) in KNOWN_TITLES.items():
        if first.startswith(opening):
            parts.append('<h3 class="workshop-title"><a href="%s">%s</a></h3>'
                         % (esc(href), esc(title)))
    parts.append('<div class="field-duration">%s</div>' % esc(block["duration"]))
    if block["program"]:
        parts.append('<div class="field-program">%s</div>' % esc(block["program"]))
    parts.append('<div class="field-body">')
    parts.extend(render_body(block["body"]))
    parts.append("</div>")
    parts.append("</div>")
    return "\n".join(parts)


def render_page(blocks):
    head = [
        "<!DOCTYPE html>",
        COMMENT,
        '<html lang="en"><head><meta charset="utf-8"><title>Workshops | CUPE</title>'
        '<link rel="canonical" href="https://cupe.ca/mrm-union-education/workshops">'
        "</head><body>",
        "<header>",
        '<a href="#main-content">Skip to main content</a>',
        "<nav><ul>"
        '<li><a href="/about-us">About us</a></li>'
        '<li><a href="/mrm-union-education">Union education</a></li>'
        '<li><a href="/mrm-union-education/events">Events</a></li>'
        '<li><a href="/resources">Resources</a></li>'
        "</ul></nav>",
        "</header>",
        '<main id="main-content"><h1>Workshops</h1><div class="view-content">',
    ]
    body = [render_block(b) for b in blocks]
    tail = [
        "</div></main>",
        "<footer><h2>Our social site pages</h2><ul>"
        '<li><a href="https://www.facebook.com/CUPEnat">Facebook</a></li>'
        '<li><a href="https://twitter.com/cupenat">X</a></li>'
        "</ul><p>© Canadian Union of Public Employees</p></footer></body></html>",
    ]
    return "\n".join(head + body + tail) + "\n"


def main(argv):
    if len(argv) != 3:
        raise SystemExit("usage: build_cupe_html.py SEED.txt OUT.html")
    blocks = read_blocks(argv[1])
    with open(argv[2], "w", encoding="utf-8") as fh:
        fh.write(render_page(blocks))
    print("wrote %d workshop blocks to %s" % (len(blocks), argv[2]))


if __name__ == "__main__":
    main(sys.argv)
