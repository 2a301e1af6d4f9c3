"""Render the reconstructed CUPE workshop pages (samples/text/cupe-workshop-<n>.txt) as HTML.

Standard library only. Each text file is the visible text of one workshop page in the order
SITES.md gives (description and NOTE lines, the length, the programme, the languages, then
each upcoming session as a date line over a location line); the page's heading, which text
captures drop, is added here from TITLES. The markup is a guess (the live HTML could not be
captured).

    python samples/tools/build_workshop_pages.py    # writes samples/archive/cupe-workshops/workshop-<n>.html
"""
from __future__ import annotations

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Workshop number -> heading. 38 is "Financial Essentials" (SITES.md); 39 and 12 are guessed
# numbers for the workshops SITES.md names on event pages.
TITLES = {38: "Financial Essentials", 39: "Financial Officers", 12: "Introduction to Stewarding"}
CHROME = {"Skip to main content"}
FOOTER = "Our social site pages"
PROGRAMMES = {"Bargaining Program", "Steward Learning Series", "Local Executive Training",
              "Health & Safety Learning Series"}
_LENGTH = re.compile(r"^\d+ (?:hours?|days?|weeks?)$")
_LANGUAGES = re.compile(r"^(?:English|French)(?: and (?:English|French))?$")


def _e(s: str) -> str:
    return html.escape(s, quote=True)


def render(text: str, number: int, title: str | None) -> str:
    lines = [l.strip() for l in text.splitlines()]
    lines = [l for l in lines[: lines.index(FOOTER)] if l and l not in CHROME]
    at = next(i for i, l in enumerate(lines) if _LENGTH.match(l))
    body, bullets = [], []
    for line in lines[:at]:
        if line.startswith("• "):
            bullets.append(line[2:])
            continue
        if bullets:
            body.append("<ul>" + "".join(f"<li>{_e(b)}</li>" for b in bullets) + "</ul>")
            bullets = []
        body.append(f"<p>{_e(line)}</p>")
    if bullets:
        body.append("<ul>" + "".join(f"<li>{_e(b)}</li>" for b in bullets) + "</ul>")
    fields = [f'<div class="field-duration">{_e(lines[at])}</div>']
    k = at + 1
    while k < len(lines) and (lines[k] in PROGRAMMES or _LANGUAGES.match(lines[k])):
        cls = "field-program" if lines[k] in PROGRAMMES else "field-language"
        fields.append(f'<div class="{cls}">{_e(lines[k])}</div>')
        k += 1
    sessions = [f'<div class="views-row"><div class="date-display-range">{_e(d)}</div>'
                f'<div class="field-location">{_e(p)}</div></div>'
                for d, p in zip(lines[k::2], lines[k + 1::2])]
    url = f"https://cupe.ca/mrm-union-education/workshop/{number}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<link rel="canonical" href="{url}"><title>{_e(title or "Workshop")} | CUPE</title></head><body>\n'
            "<!-- RECONSTRUCTION: text from samples/text/cupe-workshop-%d.txt; markup guessed -->\n"
            '<header><a href="#main">Skip to main content</a><nav><a href="/">Home</a></nav></header>\n'
            '<main id="main"><article class="node-workshop">\n'
            + (f'<h1 class="page-title">{_e(title)}</h1>\n' if title else "")
            + '<div class="field-body">' + "\n".join(body) + "</div>\n" + "\n".join(fields) + "\n"
            + '<h2>Upcoming sessions</h2>\n<div class="view-content">\n' + "\n".join(sessions) + "\n</div>\n"
            "</article></main>\n<footer><h2>" + FOOTER + "</h2></footer>\n</body></html>\n") % number


def main(out_root: Path = ROOT / "archive") -> None:
    for number, title in TITLES.items():
        text = (ROOT / "text" / f"cupe-workshop-{number}.txt").read_text(encoding="utf-8")
        target = out_root / "cupe-workshops" / f"workshop-{number}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(text, number, title), encoding="utf-8")
        print(target)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "archive")
