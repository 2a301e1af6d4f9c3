"""AUPE Labour School: the four reconstructed pages (samples/archive/aupe-labour-school, built
from the facts in shared/SITES.md), in their own markup, as text captures and in other markups.
Expected values written by hand from the pages."""
from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date

import pytest
from selectolax.lexbor import LexborHTMLParser

from parsers import ParseError
from parsers.aupe_labour_school import parse
from tests.conftest import SAMPLES

FOLDER = SAMPLES / "aupe-labour-school"
URL = "https://aupe.org/training/labour-school"
PAGES = ["2025.html", "2023.html", "2020.html", "course-descriptions-and-prerequisites.html"]


def page(name: str) -> str:
    return (FOLDER / name).read_text(encoding="utf-8")


def as_text(html: str) -> str:
    """The visible text of a page as a capture shows it: one line per block, "• " before list items."""
    tree = LexborHTMLParser(html)
    out = []
    for node in tree.css("header a, main h1, main h2, main h3, main p, main li, footer p"):
        text = " ".join(node.text(deep=True).split())
        out.append(("• " + text) if node.tag == "li" and node.css_first("a") is None else text)
        out.append("")
    return "\n".join(out)


def as_divs(html: str) -> str:
    """Headings, sections and paragraphs all as plain divs; labels in spans (class names gone)."""
    html = re.sub(r"<(/?)(h[1-6]|section|p)\b[^>]*>", r"<\1div>", html)
    return html.replace("<strong>", "<span>").replace("</strong>", "</span>")


def as_definition_lists(html: str) -> str:
    """Each label in a <dt>, its text in the <dd> after it."""
    return re.sub(r"<p><strong>([^<]+:)</strong>\s*(.*?)</p>", r"<dl><dt>\1</dt><dd>\2</dd></dl>", html)


def fields(result):
    return ([{k: v for k, v in asdict(l).items() if k not in ("raw_text", "source_url")} for l in result.listings],
            [{k: v for k, v in asdict(s).items() if k != "source_url"} for s in result.schools])


LABELLED = ["2023.html", "course-descriptions-and-prerequisites.html"]  # the pages with "Label:" paragraphs


@pytest.mark.parametrize("name,render", [(n, r) for n in PAGES for r in (as_text, as_divs)]
                         + [(n, as_definition_lists) for n in LABELLED])
def test_other_markups_parse_alike(name, render):
    html = page(name)
    other = render(html)
    assert other != html
    assert fields(parse(other, URL)) == fields(parse(html, URL))


def test_2025_school_and_courses():
    r = parse(page("2025.html"), URL)
    (s,) = r.schools
    assert (s.name, s.theme, s.venue) == ("Labour School 2025", "From Shop Floor to Streets: Solidarity Wins",
                                          "Jasper Park Lodge")
    assert (s.start_date, s.end_date) == (date(2025, 3, 9), date(2025, 3, 13))
    assert (s.applications_open, s.applications_close) == (date(2024, 7, 8), date(2024, 9, 9))
    assert s.course_choices == 3
    assert [l.title for l in r.listings] == ["Union Steward", "Organizing for Power"]
    us = r.listings[0]
    assert us.series == "Labour School"
    assert us.paragraphs == ["As a Union Steward, you will be the person your coworkers turn to when something "
                             "goes wrong at work."]
    # "In this course, we will cover:" + list: learning outcomes, as the course page's parser reads it.
    assert us.learning_outcomes == ["The role of the steward", "Investigating and writing grievances",
                                    "Representing members in meetings with management"]
    assert us.bullets == []
    assert r.errors == []


def test_2023_prerequisite_audience_list_methods():
    r = parse(page("2023.html"), URL)
    (s,) = r.schools
    assert s.name == "Labour School 2023" and s.start_date is None  # the page gives no dates
    a = r.listings[0]
    assert a.title == "Advanced Occupational Health and Safety"
    assert a.prerequisites == "OH&S for Union Activists"
    assert a.paragraphs == ["Building on OH&S for Union Activists, this course looks at how the union wins safer workplaces."]
    assert a.audience == ("Members who want to: Take a lead on health and safety in their workplace; "
                          "Use the law to enforce their right to a safe workplace")
    assert a.methods == ["Case studies", "Small-group work"]
    assert [l.title for l in r.listings] == ["Advanced Occupational Health and Safety", "Union Steward"]


def test_2020_names_only_are_courses_not_errors():
    r = parse(page("2020.html"), URL)
    (s,) = r.schools
    assert (s.name, s.start_date, s.end_date, s.venue, s.applications_close) == (
        "Labour School 2020", date(2020, 3, 1), date(2020, 3, 6), "Fantasyland Hotel", date(2020, 1, 10))
    assert [l.title for l in r.listings] == ["Union Steward", "OH&S for Union Activists",
                                             "Advanced Occupational Health and Safety", "Labour and Politics"]
    assert all(not l.paragraphs and not l.bullets and l.prerequisites is None for l in r.listings)
    assert r.errors == []


def test_older_course_descriptions_and_prerequisites_page():
    r = parse(page("course-descriptions-and-prerequisites.html"), URL)
    oh, lp = r.listings
    assert oh.title == "OH&S for Union Activists"
    assert oh.prerequisites == "Introduction to Occupational Health and Safety"
    assert oh.paragraphs == ["Health and safety is a union issue. This course shows activists how to use the "
                             "union to make their workplaces safer."]
    assert oh.learning_outcomes == ["Recognize hazards in your workplace", "Use your rights to refuse unsafe work"]
    assert oh.audience == "Members active on health and safety in their workplace."
    assert oh.methods == ["Group discussion, case studies and role play."]
    assert oh.notes == ["Comments from previous students: “I finally understand my right to refuse.”"]
    # The unlabelled paragraph after the prerequisite is description; comments never reach the audience.
    assert lp.prerequisites == "Rethinking Politics"
    assert lp.paragraphs == ["This course runs for the whole week of Labour School.",
                             "Why politics matters to workers, and how unions take part in it."]
    assert lp.audience == "Members who want to take part in political action."
    assert lp.notes == ["Comments from previous students: “An eye-opening week.” “I will use this at my local.”"]
    for l in (oh, lp):
        assert "previous students" not in (l.audience or "") and "“" not in (l.audience or "")


def test_a_page_that_is_no_labour_school_page():
    with pytest.raises(ParseError) as exc:
        parse("<main><h1>Course descriptions</h1><p>Nothing here.</p></main>", URL)
    assert "Labour School" in exc.value.reason
