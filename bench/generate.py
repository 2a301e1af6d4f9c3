"""Seeded synthetic catalogue pages in the shapes of the two sites, for the benchmarks.

    .venv/bin/python -m bench.generate --size 10000 --out /tmp/catalogue   # writes the pages

* CUPE (``samples/archive/cupe-workshops/workshops.html``): one ``div.views-row`` per
  workshop: an optional ``h3.workshop-title`` link ("SLS - ..."), ``div.field-duration``,
  an optional ``div.field-program``, ``div.field-body`` with ``<p>``, ``<ul><li>`` and
  "NOTE: ..." paragraphs.
* AUPE (``samples/archive/aupe-courses/courses.html``): ``<section class="course">`` with
  ``<h2>Title (2 days)</h2>`` and labelled paragraphs (Description, Note, This course is
  for, Prerequisites, This course utilizes + list, Learning outcomes + list).

Text comes from the CUPE seed capture (``shared/seeds/004_f2b4f38a1485bd1c.txt``): every
generated workshop copies the *shape* of a real one (its number of paragraphs and their
sentence counts, an intro line ending in ":", its bullet count, its NOTE) and fills it with
sentences from a word-bigram chain trained on the capture, so lengths and words are the
site's. About one listing in ten belongs to a course offered at 2-3 lengths (the same
description, placed at different positions of the catalogue, as on cupe.ca). A catalogue
of N listings is ~90% CUPE, ~10% AUPE, cut into pages of ``per_page`` listings linked by
``rel=next`` (the sites paginate). The same (size, seed) gives the same bytes.
"""
from __future__ import annotations

import argparse
import html
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT.parent / "shared" / "seeds" / "004_f2b4f38a1485bd1c.txt"
CUPE_URL = "https://cupe.ca/mrm-union-education/workshops"
AUPE_URL = "https://aupe.org/training/courses"
CUPE_SHARE = 0.9
VARIANT_SHARE = 0.10  # share of listings that are one length of a multi-length course
PROGRAMME_PREFIX = {
    "Steward Learning Series": "SLS",
    "Bargaining Program": "BARG",
    "Local Executive Training": "LET",
    "Health & Safety Learning Series": "HSLS",
}
AUPE_LENGTHS = ["1 day", "1 day", "2 days", "2 days", "3 days", "half-day"]
AUPE_METHODS = ["Group discussion", "Small-group activities", "Role play", "Case studies",
                "Online modules", "Presentations", "Individual reflection"]
AUPE_AUDIENCES = ["All AUPE members.", "All AUPE members, especially new members.",
                  "New and prospective stewards.", "Stewards and local officers.",
                  "AUPE members who want to serve as picket captains.",
                  "Members of health and safety committees."]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])")
_STOP = {"the", "and", "for", "with", "that", "this", "your", "their", "from", "about", "into",
         "will", "are", "how", "what", "you", "our", "they", "can", "who", "have", "workshop",
         "participants", "learn", "members", "union", "also", "more", "when", "which", "these"}


@dataclass(slots=True)
class Page:
    source: str  # "cupe-workshops" | "aupe-courses"
    url: str
    html: str
    n_listings: int


@dataclass(slots=True)
class _Shape:
    paragraphs: list[int]  # sentence count of each plain paragraph
    intro: bool  # a "..., you will:" line before the bullets
    bullets: int
    note: str | None  # a seed NOTE line to reuse (audience notes vary), or None


class Vocabulary:
    """What the seed capture gives the generator: shapes, lengths, programmes, chains."""

    def __init__(self, seed_text: str) -> None:
        from parsers import cupe_workshops

        listings = cupe_workshops.parse(seed_text, "seed").listings
        if not listings:
            raise ValueError("the seed capture yielded no listings")
        self.durations = [l.duration_text for l in listings]
        self.programmes = [l.series for l in listings]  # None where a workshop has none
        self.shapes: list[_Shape] = []
        sentences, bullets, intros = [], [], []
        for l in listings:
            plain, intro = [], False
            for p in l.paragraphs:
                if p.endswith(":"):
                    intro = True
                    intros.append(p)
                    continue
                ss = _SENTENCE_END.split(p)
                sentences.extend(ss)
                plain.append(len(ss))
            bullets.extend(l.bullets)
            self.shapes.append(_Shape(plain or [1], intro, len(l.bullets),
                                      l.notes[0] if l.notes else None))
        self.intros = intros or ["In this workshop, participants will:"]
        self.notes = [s.note for s in self.shapes if s.note]
        self.sentence_chain = _Chain(sentences)
        self.bullet_chain = _Chain(bullets)
        words = {w.strip(".,:;()“”\"’'").lower() for s in sentences for w in s.split()}
        self.title_words = sorted(w for w in words if len(w) > 4 and w.isalpha() and w not in _STOP)


class _Chain:
    """A word-bigram chain: starts are the corpus's first words; a sentence ends where one did."""

    def __init__(self, texts: list[str]) -> None:
        self.starts: list[str] = []
        self.next: dict[str, list[str]] = defaultdict(list)
        for t in texts:
            words = t.split()
            if not words:
                continue
            self.starts.append(words[0])
            for a, b in zip(words, words[1:]):
                self.next[a].append(b)
            self.next[words[-1]].append("")  # end of text

    def text(self, rng: random.Random, max_words: int = 45) -> str:
        word = rng.choice(self.starts)
        out = [word]
        nxt = self.next
        for _ in range(max_words):
            followers = nxt.get(word)
            if not followers:
                break
            word = rng.choice(followers)
            if not word:
                break
            out.append(word)
        text = " ".join(out)
        return text if text[-1] in ".!?;:" else text + "."


_VOCAB: dict[Path, Vocabulary] = {}


def vocabulary(seed_file: Path = SEED_FILE) -> Vocabulary:
    if seed_file not in _VOCAB:
        _VOCAB[seed_file] = Vocabulary(seed_file.read_text(encoding="utf-8"))
    return _VOCAB[seed_file]


def _e(text: str) -> str:
    return html.escape(text, quote=False)


class _Titles:
    """Unique title-case names from seed words ("Bargaining Committee Essentials")."""

    def __init__(self, rng: random.Random, words: list[str]) -> None:
        self.rng, self.words, self.used = rng, words, set()

    def __call__(self) -> str:
        n = 2
        while True:
            title = " ".join(w.capitalize() for w in self.rng.sample(self.words, n))
            if title.lower() not in self.used:
                self.used.add(title.lower())
                return title
            n = min(n + 1, 5)


def _courses(n: int, rng: random.Random, lengths: list[str]) -> list[list[str]]:
    """Lengths of each course, so that the listings add up to n and ~VARIANT_SHARE of them
    are lengths of multi-length courses."""
    courses: list[list[str]] = []
    n_variant = round(n * VARIANT_SHARE)
    k = 0
    while k < n_variant:
        size = min(rng.choice((2, 2, 3)), n_variant - k)
        if size < 2:
            break
        distinct = sorted(set(lengths), key=lengths.index)
        courses.append(rng.sample(distinct, size))
        k += size
    courses += [[rng.choice(lengths)] for _ in range(n - k)]
    return courses


def _cupe_body(rng: random.Random, v: Vocabulary, shape: _Shape) -> list[str]:
    parts = []
    for n_sentences in shape.paragraphs:
        parts.append("<p>" + _e(" ".join(v.sentence_chain.text(rng) for _ in range(n_sentences))) + "</p>")
    if shape.bullets:
        if shape.intro:
            parts.append("<p>" + _e(rng.choice(v.intros)) + "</p>")
        items = "".join("<li>" + _e(v.bullet_chain.text(rng, 25)) + "</li>" for _ in range(shape.bullets))
        parts.append("<ul>" + items + "</ul>")
    if shape.note:
        parts.append("<p>" + _e(shape.note) + "</p>")
    return parts


def cupe_listings(n: int, rng: random.Random, v: Vocabulary) -> list[str]:
    """The HTML of n CUPE workshops (div.views-row), in catalogue order."""
    titles = _Titles(rng, v.title_words)
    rows: list[tuple[str | None, str]] = []  # (programme, html) in generation order
    for lengths in _courses(n, rng, v.durations):
        programme = rng.choice(v.programmes)
        shape = rng.choice(v.shapes)
        title = titles() if rng.random() < 0.1 else None
        body = _cupe_body(rng, v, shape)
        # Half the multi-length courses with an intro line name their length in it
        # ("In this 6-hour workshop, you will:"; the capture has "this 2-hour workshop").
        per_length = len(lengths) > 1 and shape.intro and shape.bullets and rng.random() < 0.5
        for length in lengths:
            if per_length:
                k = len(shape.paragraphs)
                body = [*body[:k], "<p>" + _e(f"In this {length.replace(' ', '-').rstrip('s')} workshop, "
                                              "you will:") + "</p>", *body[k + 1:]]
            out = ['<div class="views-row">']
            if title:
                prefix = PROGRAMME_PREFIX.get(programme or "", "")
                shown = f"{prefix} - {title}" if prefix else title
                slug = rng.randrange(10**6)
                out.append(f'<h3 class="workshop-title"><a href="/mrm-union-education/workshop/{slug}">'
                           f"{_e(shown)}</a></h3>")
            out.append(f'<div class="field-duration">{length}</div>')
            if programme:
                out.append(f'<div class="field-program">{_e(programme)}</div>')
            out.append('<div class="field-body">')
            out.extend(body)
            out.append("</div>\n</div>")
            rows.append((programme, "\n".join(out)))
    rng.shuffle(rows)  # variants sit apart, as on the site
    # The site lists workshops programme by programme.
    order = {p: k for k, p in enumerate(sorted({p or "~" for p, _ in rows}))}
    rows.sort(key=lambda r: order[r[0] or "~"])
    return [h for _, h in rows]


def aupe_listings(n: int, rng: random.Random, v: Vocabulary) -> list[str]:
    """The HTML of n AUPE courses (section.course), in catalogue order."""
    titles = _Titles(rng, v.title_words)
    rows = []
    for lengths in _courses(n, rng, AUPE_LENGTHS):
        title = titles()
        description = " ".join(v.sentence_chain.text(rng) for _ in range(rng.randint(1, 4)))
        note = v.sentence_chain.text(rng) if rng.random() < 0.3 else None
        audience = rng.choice(AUPE_AUDIENCES)
        prereq = "None" if rng.random() < 0.7 else titles()
        methods = rng.sample(AUPE_METHODS, rng.randint(1, 3))
        outcomes = [v.bullet_chain.text(rng, 20).rstrip(".;").capitalize() for _ in range(rng.randint(1, 4))]
        for length in lengths:
            r = rng.random()
            heading = f"{title} ({length})"
            if r < 0.04:
                heading += " - Currently not available"
            elif r < 0.08:
                heading = f"{title} - Available online only"
            out = ['<section class="course">', f"<h2>{_e(heading)}</h2>",
                   f"<p><strong>Description:</strong> {_e(description)}</p>"]
            if note:
                out.append(f"<p><strong>Note:</strong> {_e(note)}</p>")
            out += [f"<p><strong>This course is for:</strong> {_e(audience)}</p>",
                    f"<p><strong>Prerequisites:</strong> {_e(prereq)}</p>",
                    "<p><strong>This course utilizes:</strong></p>",
                    "<ul>\n" + "\n".join(f"<li>{_e(m)}</li>" for m in methods) + "\n</ul>",
                    "<p><strong>Learning outcomes:</strong></p>",
                    "<ul>\n" + "\n".join(f"<li>{_e(o)}</li>" for o in outcomes) + "\n</ul>",
                    "</section>"]
            rows.append("\n".join(out))
    rng.shuffle(rows)
    return rows


def _pager(url: str, page: int, n_pages: int) -> str:
    if page + 1 >= n_pages:
        return ""
    return (f'<nav class="pager"><ul><li class="pager__item--next">'
            f'<a href="?page={page + 1}" rel="next">Next page</a></li></ul></nav>')


def _cupe_page(rows: list[str], page: int, n_pages: int) -> str:
    url = CUPE_URL + (f"?page={page}" if page else "")
    return (
        "<!DOCTYPE html>\n<!-- SYNTHETIC: bench/generate.py -->\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>Workshops | CUPE</title>'
        f'<link rel="canonical" href="{url}"></head><body>\n<header>\n'
        '<a href="#main-content">Skip to main content</a>\n<nav><ul><li><a href="/about-us">About us</a></li>'
        '<li><a href="/mrm-union-education">Union education</a></li></ul></nav>\n</header>\n'
        '<main id="main-content"><h1>Workshops</h1><div class="view-content">\n'
        + "\n".join(rows)
        + "\n</div>" + _pager(url, page, n_pages) + "</main>\n"
        '<footer><h2>Our social site pages</h2><ul><li><a href="https://www.facebook.com/CUPEnat">'
        "Facebook</a></li></ul><p>© Canadian Union of Public Employees</p></footer></body></html>\n"
    )


def _aupe_page(rows: list[str], page: int, n_pages: int) -> str:
    url = AUPE_URL + (f"?page={page}" if page else "")
    return (
        '<!DOCTYPE html>\n<!-- SYNTHETIC: bench/generate.py -->\n<html lang="en">\n<head>\n'
        '<meta charset="utf-8">\n<title>Course descriptions | AUPE</title>\n'
        f'<link rel="canonical" href="{url}">\n</head>\n<body>\n<header class="site-header">\n'
        '<a class="logo" href="/">AUPE</a>\n<nav class="main-menu">\n<ul>\n<li><a href="/about">About</a></li>\n'
        '<li><a href="/training">Training</a></li>\n</ul>\n</nav>\n</header>\n<main id="main-content">\n'
        "<h1>Course descriptions</h1>\n"
        '<p class="intro">AUPE’s education courses are free for members. The courses offered this term '
        "are described below.</p>\n\n"
        + "\n\n".join(rows)
        + "\n" + _pager(url, page, n_pages) + "\n</main>\n"
        '<footer class="site-footer">\n<p>© Alberta Union of Provincial Employees</p>\n</footer>\n</body>\n</html>\n'
    )


def catalogue(n: int, seed: int = 7, per_page: int = 1000, seed_file: Path = SEED_FILE) -> list[Page]:
    """A catalogue of n listings (~90% CUPE, ~10% AUPE) as pages of at most per_page listings."""
    v = vocabulary(seed_file)
    rng = random.Random(f"{seed}:{n}")
    n_cupe = round(n * CUPE_SHARE)
    pages = []
    for source, url, rows, build in (
        ("cupe-workshops", CUPE_URL, cupe_listings(n_cupe, rng, v), _cupe_page),
        ("aupe-courses", AUPE_URL, aupe_listings(n - n_cupe, rng, v), _aupe_page),
    ):
        n_pages = max(1, -(-len(rows) // per_page))
        for k in range(n_pages):
            chunk = rows[k * per_page:(k + 1) * per_page]
            pages.append(Page(source, url + (f"?page={k}" if k else ""), build(chunk, k, n_pages), len(chunk)))
    return pages


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per-page", type=int, default=1000)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    for k, page in enumerate(catalogue(a.size, a.seed, a.per_page)):
        path = a.out / page.source / f"page-{k:04d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.html, encoding="utf-8")
    print(f"wrote {k + 1} pages under {a.out}")


if __name__ == "__main__":
    main()
