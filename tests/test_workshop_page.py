"""CUPE workshop pages (/mrm-union-education/workshop/<n>): the same page in drawn markups and as
a text capture reads the same fields and sessions. Expected values are written out by hand
from the page text below (facts of shared/SITES.md, section "A workshop's own page": the
length "6 hours", the programme "Local Executive Training", the languages "English and
French", a date line "March 23 - 24, 2026" over the location "CUPE Maritime Regional Office
(MRO), Fredericton, New Brunswick"; the description is the seed catalogue's stewarding block).

The markups are what a Drupal node page emits: the title as h1/h2 or a bold line (or none, as
in a capture); fields as divs with classes, a definition list, labelled paragraphs ("Length:
6 hours") or bare labels above their values; the description before the fields (the page's
order) or after them (the catalogue's); bullets as <ul> or "•" paragraphs; sessions as a list,
a table, divs or one paragraph with <br>, under an optional "Upcoming sessions" heading.
"""
from __future__ import annotations

import datetime as dt
import html
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from parsers import ParseError
from parsers.cupe_workshop_page import is_workshop_page, languages_of, parse, workshop_number

ROOT = Path(__file__).resolve().parents[1]
URL = "https://cupe.ca/mrm-union-education/workshop/12"
CATALOGUE = "https://cupe.ca/mrm-union-education/workshops"

TITLE = "Introduction to Stewarding"
DESCRIPTION = [
    ("p", "What does a CUPE steward do? If you are a new steward and want to learn how to help CUPE members "
          "solve workplace problems, this introductory workshop is for you!"),
    ("p", "In this workshop, you will learn:"),
    ("bullet", "investigating workplace problems;"),
    ("bullet", "filing a grievance;"),
    ("p", "NOTE: See more Stewarding courses under the Steward Learning Series."),
]
FIELDS = [("Length", "6 hours"), ("Programme", "Local Executive Training"), ("Language", "English and French")]
SESSIONS = [
    ("March 23 - 24, 2026", "CUPE Maritime Regional Office (MRO), Fredericton, New Brunswick"),
    ("November 24 - 25, 2025", "CUPE Saskatchewan Regional Office, Regina, Saskatchewan"),
    ("Jan 10, 2026", "ONLINE, Manitoba"),
]

# Written by hand from the text above.
WANT_PARAGRAPHS = [DESCRIPTION[0][1], "In this workshop, you will learn:"]
WANT_BULLETS = ["investigating workplace problems;", "filing a grievance;"]
WANT_NOTES = ["NOTE: See more Stewarding courses under the Steward Learning Series."]
WANT_SESSIONS = [
    (dt.date(2026, 3, 23), dt.date(2026, 3, 24), "CUPE Maritime Regional Office (MRO)", "Fredericton", "New Brunswick", False),
    (dt.date(2025, 11, 24), dt.date(2025, 11, 25), "CUPE Saskatchewan Regional Office", "Regina", "Saskatchewan", False),
    (dt.date(2026, 1, 10), dt.date(2026, 1, 10), "ONLINE", None, "Manitoba", True),
]


def render(style: dict, rng: random.Random) -> str:
    e = lambda t: html.escape(t, quote=False)  # noqa: E731
    ws = style["ws"]
    title = {"h1": f"<h1>{e(TITLE)}</h1>", "h2": f"<h2 class='node-title'>{e(TITLE)}</h2>",
             "strong": f"<p><strong>{e(TITLE)}</strong></p>", "none": ""}[style["title"]]
    desc, items = [], []
    for kind, text in DESCRIPTION:
        if kind == "bullet":
            items.append(text)
            continue
        if items:
            desc.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>" if style["lists"] == "ul"
                        else "".join(f"<p>• {e(i)}</p>" for i in items))
            items = []
        desc.append(f"<p>{e(text)}</p>")
    description = f"<div class='field-body'>{ws.join(desc)}</div>"
    fields = []
    how = style["fields"]
    if how == "dl":
        fields.append("<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in FIELDS) + "</dl>")
    else:
        for label, value in FIELDS:
            if how == "div":
                fields.append(f"<div class='field-{label.lower()}'>{e(value)}</div>")
            elif how == "inline":
                fields.append(f"<p><strong>{e(label)}:</strong> {e(value)}</p>")
            else:  # a bare label above the value
                fields.append(f"<div class='label'>{e(label)}</div><div>{e(value)}</div>")
    heading = "<h2>Upcoming sessions</h2>" if style["sessions_heading"] else ""
    how = style["sessions"]
    if how == "ul":
        rows = "<ul class='sessions'>" + "".join(f"<li><div>{e(d)}</div><div>{e(p)}</div></li>" for d, p in SESSIONS) + "</ul>"
    elif how == "table":
        rows = "<table>" + "".join(f"<tr><td>{e(d)}</td><td>{e(p)}</td></tr>" for d, p in SESSIONS) + "</table>"
    elif how == "br":
        rows = "".join(f"<p>{e(d)}<br>{e(p)}</p>" for d, p in SESSIONS)
    else:
        rows = ws.join(f"<div class='views-row'><span class='date'>{e(d)}</span><span class='place'>{e(p)}</span></div>"
                       for d, p in SESSIONS)
    main = [title] + ([description] + fields if style["order"] == "page" else fields + [description]) + [heading, rows]
    parts = ['<header><a href="#main">Skip to main content</a><nav><a href="/">Home</a></nav></header>' if style["chrome"] else "",
             "<main id='main'>" if style["main"] else "", f"<article>{ws.join(main)}</article>",
             "</main>" if style["main"] else "",
             "<footer><h2>Our social site pages</h2></footer>" if style["chrome"] else ""]
    canonical = f'<link rel="canonical" href="{URL}">' if style["canonical"] else ""
    return f"<!DOCTYPE html><html><head>{canonical}</head><body>" + ws.join(parts) + "</body></html>"


def _check(style: dict, seed: int) -> None:
    page_html = render(style, random.Random(seed))
    url = CATALOGUE + "#workshop-12.html" if style["canonical"] else URL  # a replayed file names itself
    assert is_workshop_page(page_html, url), style
    result = parse(page_html, url)
    assert result.errors == [], (style, result.errors)
    page = result.page
    assert page.title == (None if style["title"] == "none" else TITLE), style
    assert page.workshop_url == URL and page.workshop_number == 12
    assert (page.duration.text, page.programmes, page.languages) == ("6 hours", ["Local Executive Training"],
                                                                    ["English", "French"]), style
    assert (page.paragraphs, page.bullets, page.notes) == (WANT_PARAGRAPHS, WANT_BULLETS, WANT_NOTES), style
    got = [(s.dates[0].start_date, s.dates[0].end_date, s.place.venue, s.place.city, s.place.province, s.place.online)
           for s in page.sessions]
    assert got == WANT_SESSIONS, style
    assert all(s.link == URL and s.page_kind == "workshop page" for s in page.sessions)


STYLES = st.fixed_dictionaries(dict(
    ws=st.sampled_from(["", "\n", "\n  "]), chrome=st.booleans(), main=st.booleans(), canonical=st.booleans(),
    title=st.sampled_from(["h1", "h2", "strong", "none"]), lists=st.sampled_from(["ul", "marker"]),
    fields=st.sampled_from(["div", "dl", "inline", "bare"]), order=st.sampled_from(["page", "catalogue"]),
    sessions=st.sampled_from(["ul", "table", "br", "div"]), sessions_heading=st.booleans()))


def test_drupal_fields_with_the_page_order():
    _check(dict(ws="\n", chrome=True, main=True, canonical=True, title="h1", lists="ul", fields="div",
                order="page", sessions="div", sessions_heading=True), 0)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(style=STYLES, seed=st.integers(0, 1000))
def test_every_drawn_markup_reads_the_same_page(style, seed):
    _check(style, seed)


def test_text_capture_of_the_sample_financial_essentials_page():
    """samples/text/cupe-workshop-38.txt: the capture's order (no heading), written from SITES.md and the seed."""
    text = (ROOT / "samples" / "text" / "cupe-workshop-38.txt").read_text(encoding="utf-8")
    assert is_workshop_page(text, CATALOGUE)  # by structure: the URL does not say
    result = parse(text, "https://cupe.ca/mrm-union-education/workshop/38")
    page = result.page
    assert result.errors == []
    assert page.title is None and page.workshop_number == 38
    assert page.duration.text == "1 day" and page.programmes == ["Local Executive Training"]
    assert page.languages == ["English", "French"]
    assert page.paragraphs[0].startswith("This workshop is for all members in an elected position")
    assert page.paragraphs[0].endswith("how to be transparent and accountable to members.")
    assert len(page.paragraphs) == 1 and page.bullets == [] and page.notes == []
    assert [(s.dates[0].text, s.place_text) for s in page.sessions] == [
        ("March 23 - 24, 2026", "CUPE Maritime Regional Office (MRO), Fredericton, New Brunswick"),
        ("Nov 22, 2025", "Yorkton Area Office, Yorkton, Saskatchewan")]
    assert all(s.language is None for s in page.sessions)  # two languages: the session's is not stated


def test_languages():
    assert languages_of("English and French") == ["English", "French"]
    assert languages_of("Language: French") == ["French"]
    assert languages_of("Languages: English, French") == ["English", "French"]
    assert languages_of("Bilingual") == ["English", "French"]
    assert languages_of("English is the language of the union.") is None
    assert languages_of("Local Executive Training") is None


def test_the_catalogue_is_no_workshop_page():
    seed = (ROOT.parent / "shared" / "seeds" / "004_f2b4f38a1485bd1c.txt")
    if seed.exists():
        assert not is_workshop_page(seed.read_text(encoding="utf-8"), CATALOGUE)
    html_page = (ROOT / "samples" / "archive" / "cupe-workshops" / "workshops.html").read_text(encoding="utf-8")
    assert not is_workshop_page(html_page, CATALOGUE)
    one_block = "6 hours\nLocal Executive Training\nIn this workshop, the executive learns.\n"
    assert not is_workshop_page(one_block, CATALOGUE)
    assert workshop_number("https://cupe.ca/mrm-union-education/workshop/38") == 38
    assert workshop_number(CATALOGUE + "#workshop-38.html") is None


PAGE_TEXT = ("Learn the basics of the local union's finances.\n6 hours\nLocal Executive Training\nEnglish and French\n")


def test_a_date_line_with_no_location_is_a_block_error():
    result = parse(PAGE_TEXT + "March 23 - 24, 2026\nApril 4, 2026\nCUPE Maritime Regional Office (MRO), Fredericton, New Brunswick\n", URL)
    (err,) = result.errors
    assert URL in err.reason and "session 0" in err.reason and "expected a location line" in err.reason
    assert "'April 4, 2026'" in err.reason
    assert [s.dates[0].text for s in result.page.sessions] == ["April 4, 2026"]


def test_a_location_with_no_province_is_a_block_error():
    result = parse(PAGE_TEXT + "March 23 - 24, 2026\nSomewhere nice\n", URL)
    (err,) = result.errors
    assert "expected a location line naming a province" in err.reason and "Somewhere nice" in err.raw_text
    assert result.page.sessions == []


def test_an_unreadable_date_line_is_a_block_error():
    result = parse(PAGE_TEXT + "March 23 - 24, 2026\nCUPE Maritime Regional Office (MRO), Fredericton, New Brunswick\n"
                               "March 40, 2026\nCUPE Maritime Regional Office (MRO), Fredericton, New Brunswick\n", URL)
    assert len(result.page.sessions) == 1
    assert result.errors and all("session 1" in e.reason and URL in e.reason for e in result.errors)


def test_no_description_is_a_block_error_and_no_length_a_parse_error():
    result = parse("6 hours\nLocal Executive Training\nEnglish\nMarch 23 - 24, 2026\nONLINE, Manitoba\n", URL)
    assert result.page is None
    (err,) = result.errors
    assert "'workshop'" in err.reason and "expected a description" in err.reason and URL in err.reason
    with pytest.raises(ParseError, match="no length line"):
        parse("Just a page about the union.\n", URL)


def test_courses_parse_prints_a_workshop_page_and_its_sessions():
    import json

    from typer.testing import CliRunner

    from cli.main import app

    out = CliRunner().invoke(app, ["parse", str(ROOT / "samples" / "archive" / "cupe-workshops" / "workshop-39.html"),
                                   "--source", "cupe-workshops"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    page = rows[0]["workshop_page"]
    assert (page["workshop_number"], page["title"], page["duration_text"], page["languages"]) == (
        39, "Financial Officers", "1 day", ["English"])
    assert [(r["session"]["date_text"], r["session"]["city"]) for r in rows[1:]] == [("March 31 - April 2, 2026", "Fredericton")]
