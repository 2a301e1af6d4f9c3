"""AUPE news: the seed article (shared/seeds/000_504e0f92618551aa.txt, real text) and HTML
renderings of it; the mention finder's rules. Expected values read off the seed by hand."""
from __future__ import annotations

import html as htmllib
from datetime import date

import pytest

from normalise.mentions import find_mentions, sentence_spans
from parsers import ParseError
from parsers.aupe_news import parse, parse_article, parse_date
from schema.news import Article, KnownCourse
from tests.conftest import SHARED

SEED_NEWS = SHARED / "seeds" / "000_504e0f92618551aa.txt"
URL = "https://www.aupe.org/news/direct-impact/power-education"
# The AUPE sample catalogue's titles (samples/archive/aupe-courses/courses.html).
TITLES = ["Workplace Power", "Picket Captain Training", "Introduction to Your Union",
          "Introduction to Occupational Health and Safety", "Rethinking Politics",
          "Foundations for Union Stewards", "Contract Interpretation", "Democracy at Work",
          "Labour History: An Introduction to Workers' History"]
KNOWN = [KnownCourse(f"c{k}", t) for k, t in enumerate(TITLES)]


@pytest.fixture(scope="module")
def seed() -> str:
    return SEED_NEWS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def article(seed) -> Article:
    return parse_article(seed, URL)


def test_seed_article_fields(article):
    assert article.title == "Power in education"
    assert article.published == date(2024, 1, 29)
    assert article.author == "Rae Carlson"
    # 14 body paragraphs between the date and "Related articles", the two "Text only block"
    # labels left out (counted by hand in the seed).
    assert len(article.paragraphs) == 14
    assert article.paragraphs[0] == ("Workplace Power and Picket Captain Training are two new courses "
                                     "available for AUPE members. Register today!")
    assert article.paragraphs[6] == "Curtis Jackson, Vice-President"
    assert article.paragraphs[-1].startswith("“Every one of us starts somewhere,” says Jackson.")
    body = article.body
    for chrome in ("Sign in", "Time for Action Rallies", "Text only block", "Related articles"):
        assert chrome not in body


def _lines(seed: str) -> list[str]:
    return [l.strip() for l in seed.splitlines() if l.strip()]


def render(seed: str, style: str) -> str:
    """The seed's lines as HTML, in one of several markups (the text stays the same)."""
    lines = [htmllib.escape(l) for l in _lines(seed)]
    title_at = lines.index("Power in education")
    chrome, title, byline, when = lines[:title_at], lines[title_at], lines[title_at + 1], lines[title_at + 2]
    rest = lines[title_at + 3:]
    related = rest.index("Related articles")
    body, tail = rest[:related], rest[related:]
    if style == "semantic":
        head = "<header>" + "".join(f"<div><a href='/x'>{c}</a></div>" for c in chrome) + "</header>"
        main = (f"<main><article><h1>{title}</h1><p class='byline'>{byline}</p>"
                f"<p><time datetime='2024-01-29'>{when}</time></p>"
                + "".join(f"<p>{b}</p>" for b in body) + "</article></main>")
        foot = "<aside>" + "".join(f"<h2>{t}</h2>" for t in tail) + "<p>Other story</p></aside>"
        return f"<!DOCTYPE html><html><body>{head}{main}{foot}<footer><p>© AUPE</p></footer></body></html>"
    if style == "divs":
        return ("<html><body><div class='page'>" + "".join(f"<div class='x{k}'>{l}</div>" for k, l in
                enumerate(chrome + [title, byline, when] + body + tail)) + "</div></body></html>")
    if style == "headings":
        inner = (f"<h2 class='title'>{title}</h2><div class='meta'><div>{byline}</div><div>{when}</div></div>"
                 + "".join(f"<section><div class='text'><p><span>{b}</span></p></div></section>" for b in body)
                 + "".join(f"<h3>{t}</h3>" for t in tail))
        return "<html><body><div>" + "".join(f"<p>{c}</p>" for c in chrome) + inner + "</div></body></html>"
    raise ValueError(style)


@pytest.mark.parametrize("style", ["semantic", "divs", "headings"])
def test_html_renderings_parse_like_the_text(seed, article, style):
    page = render(seed, style)
    assert page.lstrip().startswith("<")
    assert parse_article(page, URL) == article


def test_byline_and_date_on_one_line():
    page = ("<main><h1>Learn to fight</h1><div><span>By Jane Doe, Communications Staff</span> | "
            "<span>Mar 3, 2023</span></div><p>Picket Captain Training is back.</p></main>")
    a = parse_article(page, URL)
    assert (a.title, a.author, a.published) == ("Learn to fight", "Jane Doe", date(2023, 3, 3))
    assert a.paragraphs == ["Picket Captain Training is back."]


def test_no_byline_and_date_before_title_line_order():
    a = parse_article("Site banner\nA headline\nJanuary 5, 2025\nFirst paragraph.\n", URL)
    assert (a.title, a.author, a.published, a.paragraphs) == ("A headline", None, date(2025, 1, 5), ["First paragraph."])


@pytest.mark.parametrize("text,expected", [
    ("Jan 29, 2024", date(2024, 1, 29)), ("January 29, 2024", date(2024, 1, 29)),
    ("Sept. 3, 2023", date(2023, 9, 3)), ("29 Jan 2024", date(2024, 1, 29)), ("2024-01-29", date(2024, 1, 29)),
    ("Mon, Jan 29, 2024", date(2024, 1, 29)), ("Feb 30, 2024", None), ("Jan 2024", None), ("In 2024", None),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_a_page_without_an_article_names_what_was_expected():
    with pytest.raises(ParseError) as exc:
        parse("Sign in\nCourses\nNo date anywhere here.\n", URL)
    assert exc.value.url == URL and "Jan 29, 2024" in exc.value.reason


# ---------------------------------------------------------------------------------------
# Mentions in the seed, by hand: (course, paragraph, stated length)
SEED_MENTIONS = [
    ("Workplace Power", 0, None), ("Picket Captain Training", 0, None),
    ("Workplace Power", 7, None), ("Picket Captain Training", 7, None),
    ("Workplace Power", 8, "2 days"),  # "... your colleagues. This two-day course shows you ..."
    ("Picket Captain Training", 9, None),
    ("Workplace Power", 10, None),  # "... the transferable skills you learn in Workplace Power ..."
    ("Introduction to Your Union", 11, None), ("Introduction to Occupational Health and Safety", 11, None),
    ("Rethinking Politics", 11, None), ("Foundations for Union Stewards", 11, None),
    ("Contract Interpretation", 11, None), ("Democracy at Work", 11, None),
]


def test_seed_mentions(article):
    found = find_mentions(article, KNOWN)
    assert [(m.course_title, m.paragraph, m.stated_length) for m in found] == SEED_MENTIONS
    assert {m.match for m in found} == {"exact"}
    wp = found[4]
    assert wp.course_id == "c0" and wp.stated_length_text == "two-day"
    assert (wp.stated_value, wp.stated_unit) == (2.0, "day")
    assert wp.sentence.startswith("Workplace Power is all about you and your colleagues. This two-day course shows")
    assert wp.sentence.endswith("into action.")
    assert found[0].sentence == "Workplace Power and Picket Captain Training are two new courses available for AUPE members."


def _one(text: str, titles=TITLES):
    a = Article(url=URL, title="t", published=date(2024, 1, 1), paragraphs=[text])
    return [(m.course_title, m.matched_text, m.match, m.stated_length)
            for m in find_mentions(a, [KnownCourse(t, t) for t in titles])]


def test_word_boundaries_and_title_case():
    assert _one("Workplace Powerful ideas.") == []
    assert _one("We read the contract interpretation rules.") == []  # prose, not the title
    assert _one("Take CONTRACT INTERPRETATION now.") == [("Contract Interpretation", "CONTRACT INTERPRETATION", "folded", None)]


def test_folded_and_fuzzy():
    assert _one("Try Labour History: An Introduction to Worker's History.") == [
        ("Labour History: An Introduction to Workers' History", "Labour History: An Introduction to Worker's History",
         "folded", None)]
    assert _one("Sign up for Picket Captian Training.") == [
        ("Picket Captain Training", "Picket Captian Training", "fuzzy", None)]
    assert _one("Sign up for Picket Capt Training.") == []  # more than one letter off
    assert _one("Foundations for Union Stewrds and Contract Interpretatoin.") == [
        ("Foundations for Union Stewards", "Foundations for Union Stewrds", "fuzzy", None),
        ("Contract Interpretation", "Contract Interpretatoin", "fuzzy", None)]
    assert _one("Health & Safety Basics starts soon.", ["Health and Safety Basics"]) == [
        ("Health and Safety Basics", "Health & Safety Basics", "folded", None)]


def test_no_match_inside_a_longer_title():
    titles = ["Workplace Power", "Workplace Power for Stewards"]
    assert _one("Workplace Power for Stewards is new.", titles) == [
        ("Workplace Power for Stewards", "Workplace Power for Stewards", "exact", None)]
    assert _one("Then take Advanced Workplace Power Skills.") == []  # some longer title
    assert _one("AUPE’s Workplace Power returns.") == [("Workplace Power", "Workplace Power", "exact", None)]


def test_stated_lengths():
    assert _one("Workplace Power is a two-day course.") == [("Workplace Power", "Workplace Power", "exact", "2 days")]
    assert _one("Democracy at Work runs for 3 hours.") == [("Democracy at Work", "Democracy at Work", "exact", "3 hours")]
    # Two courses in the sentence: whose length it is cannot be told.
    assert [m[3] for m in _one("Workplace Power and Rethinking Politics are one-day courses.")] == [None, None]
    # The next sentence states it only when it refers back ("This ...").
    assert _one("Rethinking Politics is new. Members meet for 6 hours.") == [
        ("Rethinking Politics", "Rethinking Politics", "exact", None)]
    assert _one("Rethinking Politics is new. This 6-hour course is free.") == [
        ("Rethinking Politics", "Rethinking Politics", "exact", "6 hours")]


def test_sentences():
    p = "“Every one of us starts somewhere,” says Jackson. “What matters is effort.” Done! ok."
    assert [p[a:b].strip() for a, b in sentence_spans(p)] == [
        "“Every one of us starts somewhere,” says Jackson.", "“What matters is effort.”", "Done! ok."]
