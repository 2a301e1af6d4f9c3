"""The seed catalogue in many markups parses to the same listings as its text capture.

Expected values: the hand counts of ``samples/README.md`` and the issue (84 blocks, 90
bullets); the property compares every markup with the text capture field for field."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.clirun import run_courses
from tests.conftest import CUPE_URL
from tests.helpers import listings_of
from tests.markup import Block, Renderer, Style, seed_blocks

FIELDS = ("position", "series", "programmes", "delivery_mode", "duration_text", "duration_raw",
          "duration_hours", "description", "bullets", "audience", "notes", "prerequisites")


@pytest.fixture(scope="module")
def blocks(seed_text) -> list[Block]:
    return seed_blocks(seed_text)


@pytest.fixture(scope="module")
def reference(seed_text):
    """The text capture's listings: parsed once, compared with every markup."""
    listings, result = listings_of(seed_text, "cupe-workshops", CUPE_URL)
    assert len(listings) == 84 and result.errors == [] and result.blocks_seen == 84
    return [{f: getattr(l, f) for f in FIELDS} for l in listings]


def test_the_seed_split_matches_the_hand_counts(blocks):
    assert len(blocks) == 84
    assert Counter(b.programme for b in blocks) == {
        "Steward Learning Series": 23, "Local Executive Training": 12, "Bargaining Program": 10,
        "Health & Safety Learning Series": 10, None: 29}
    assert Counter(b.length for b in blocks) == {
        "3 hours": 43, "9 hours": 21, "6 hours": 7, "1 week": 6, "1 day": 3, "14 hours": 2,
        "1 hour": 1, "2 hours": 1}
    assert sum(1 for b in blocks for k, t in b.lines if k == "bullet" and t) == 90


def test_reference_has_the_hand_counts(reference):
    assert sum(len(r["bullets"]) for r in reference) == 90
    assert Counter(r["duration_text"] for r in reference)["3 hours"] == 43


def _check(style: Style, blocks, reference) -> None:
    page, titles = Renderer(style).page(blocks)
    listings, result = listings_of(page, "cupe-workshops", CUPE_URL)
    assert result.errors == [], (style, result.errors[:1])
    # No silent loss: every length line is a listing or a block error.
    assert result.blocks_seen == len(listings) + len(result.errors) == 84, style
    for l, ref, (title, href) in zip(listings, reference, titles):
        got = {f: getattr(l, f) for f in FIELDS}
        assert got == ref, (style, {f: (got[f], ref[f]) for f in FIELDS if got[f] != ref[f]})
        assert l.title == title, (style, l.position, l.title, title)
        assert l.link == (f"https://cupe.ca{href}" if href else None), style


# The layouts the issue names, each a fixed markup.
NAMED = {
    # <article><section class="meta"><span class="len">3 hours</span><span class="prog">...</span></section>...
    "sibling spans in a section card": Style("article", "span", "random", "structured", "li", "• ", "line",
                                             "none", 3, False, False, False, "", 1),
    "one <p> per line, marker bullets": Style("div", "p", "none", "flat", "marker", "• ", "line", "none", 3,
                                              False, False, False, "\n", 2),
    "dash bullets in paragraphs": Style("div", "p", "none", "flat", "marker", "- ", "line", "none", 3,
                                        False, False, False, "", 3),
    "programme as an <h2> section heading": Style("div", "div", "drupal", "structured", "li", "• ", "heading",
                                                  "heading", 3, True, False, True, "\n", 4),
    "title inside <article><header>": Style("article", "div", "drupal", "structured", "li", "• ", "line",
                                            "header", 2, True, False, False, "\n", 5),
    "page wrapped in <form>": Style("div", "div", "drupal", "structured", "li", "• ", "line", "link", 3,
                                    True, True, False, "\n", 6),
    "length | programme on one line": Style("section", "strong", "drupal", "structured", "li-p", "• ", "inline",
                                            "heading", 4, True, False, True, " ", 7),
    "classic editor: lines joined by <br>": Style("li", "h4", "none", "br", "marker", "– ", "line", "none", 3,
                                                  True, False, True, "\n", 8),
    "table rows": Style("td", "div", "random", "structured", "li", "* ", "heading", "link", 3, True, True,
                        True, "\n  ", 9),
}


@pytest.mark.parametrize("name", list(NAMED))
def test_named_layouts(name, blocks, reference):
    _check(NAMED[name], blocks, reference)


styles = st.builds(
    Style,
    wrapper=st.sampled_from(["div", "section", "article", "li", "td"]),
    field_tag=st.sampled_from(["div", "span", "p", "h3", "h4", "h5", "h6", "strong"]),
    classes=st.sampled_from(["drupal", "random", "none"]),
    body=st.sampled_from(["structured", "flat", "br"]),
    bullet=st.sampled_from(["li", "li-p", "marker"]),
    marker=st.sampled_from(["• ", "- ", "– ", "* ", "•", "-"]),
    programme=st.sampled_from(["line", "heading", "inline"]),
    titles=st.sampled_from(["none", "heading", "link", "header"]),
    title_level=st.integers(3, 6),
    chrome=st.booleans(),
    form=st.booleans(),
    main=st.booleans(),
    ws=st.sampled_from(["", "\n", "\n  ", " ", "\t\n"]),
    seed=st.integers(0, 2**16),
)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(style=styles)
def test_every_drawn_markup_parses_to_the_text_captures_listings(style, blocks, reference):
    _check(style, blocks, reference)


def test_cli_parse_on_each_named_layout(tmp_path, blocks):
    """`courses parse` on the seed rendered in the issue's layouts: 84 listings each, bullets included."""
    for k, name in enumerate(list(NAMED)[:3]):
        page, _ = Renderer(NAMED[name]).page(blocks)
        f = tmp_path / f"layout{k}.html"
        f.write_text(page, encoding="utf-8")
        proc = run_courses("parse", str(f), "--source", "cupe-workshops")
        assert proc.returncode == 0, proc.stderr[-2000:]
        rows = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith("{")]
        assert len(rows) == 84, name
        assert sum(len(r["bullets"]) for r in rows) == 90, name  # the seed's bullets, counted by hand
