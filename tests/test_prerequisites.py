"""Prerequisites: the parse into course names, and the links the load writes into a real DuckDB
file (warehouse.publish, no flow). Expected values written by hand from the pages below and the
AUPE sample catalogue (samples/archive/aupe-courses/courses.html)."""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from grouping import group_listings
from normalise.mentions import MentionFinder
from normalise.prerequisites import parse_prerequisites, prerequisite_texts
from schema.news import KnownCourse
from tests.conftest import AUPE_URL, CUPE_URL, empty_warehouse
from tests.helpers import listings_of
from warehouse import RunRecord, SourceLoad, publish

FINDER = MentionFinder([KnownCourse(t, t) for t in [
    "Introduction to Your Union", "Foundations for Union Stewards", "Contract Interpretation",
    "Financial Essentials", "OH&S for Union Activists", "Introduction to Occupational Health and Safety"]])


def names(text: str) -> list[tuple[str, str | None]]:
    return [(p.name, p.course_id) for p in parse_prerequisites(text, FINDER)]


@pytest.mark.parametrize("text,expected", [
    ("None", []), ("N/A", []), ("none.", []), ("No prerequisites", []),
    ("Introduction to Your Union", [("Introduction to Your Union", "Introduction to Your Union")]),
    ("OH&S for Union Activists", [("OH&S for Union Activists", "OH&S for Union Activists")]),
    ("OHS for Union Activists", [("OHS for Union Activists", None)]),  # not the known "OH&S ...": unlinked
    ("Completion of Foundations for Union Stewards and Contract Interpretation.",
     [("Foundations for Union Stewards", "Foundations for Union Stewards"),
      ("Contract Interpretation", "Contract Interpretation")]),
    ("Introduction to Occupational Health and Safety", [  # "and" inside a known title is no separator
        ("Introduction to Occupational Health and Safety", "Introduction to Occupational Health and Safety")]),
    ("Must have taken Union Basics, or Introduction to Your Union",
     [("Union Basics", None), ("Introduction to Your Union", "Introduction to Your Union")]),
    ("LET - Financial Essentials", [("Financial Essentials", "Financial Essentials")]),
    ("Introduction to Stewarding (3 hours) or equivalent experience", [("Introduction to Stewarding", None)]),
    ("Members must be stewards", []),
    ("introduction to your union", []),  # not written as a title
])
def test_prerequisite_names(text, expected):
    assert names(text) == expected


def _count_comparisons(monkeypatch) -> list:
    """Records every word-against-word comparison of the mention finder from now on."""
    import normalise.mentions as m

    calls: list = []
    real = m._word_match
    monkeypatch.setattr(m, "_word_match", lambda a, b: calls.append(1) or real(a, b))
    return calls


def test_a_title_is_tried_only_where_its_longest_words_stand(monkeypatch):
    """In a catalogue of 300 titles sharing a long word, a 60-word text naming one of them: each
    candidate title is compared where its anchor words stand, not at every word of the text (the
    prerequisites of a million-listing catalogue took 100 s so). The match is the same."""
    titles = [f"Bargaining Level {k} Workshop" for k in range(300)]
    finder = MentionFinder([KnownCourse(t, t) for t in titles])
    text = ("Members planning to join the team should first complete " + "the course on " * 15
            + "Bargaining Level 42 Workshop, " + "and the course on " * 5 + "stewarding.")
    calls = _count_comparisons(monkeypatch)
    found = [(c.course_id, kind) for _, _, c, kind in finder.spans(text)]
    assert found == [("Bargaining Level 42 Workshop", "exact")]
    assert len(text.split()) > 60 and len(calls) < 2_000  # tried at every word: 300 titles x 79 words, ~23,000


def test_a_title_many_courses_share_is_tried_once_and_names_the_first(monkeypatch):
    """A large catalogue repeats its titles (one title, several courses with other texts): the
    mention names the first course of that title, as before, and the title is compared once,
    not once a course."""
    finder = MentionFinder([KnownCourse(f"steward-{k}", "Steward Basics") for k in range(500)]
                           + [KnownCourse("health", "Health and Safety Essentials")])
    calls = _count_comparisons(monkeypatch)
    found = [(c.course_id, kind) for _, _, c, kind in
             finder.spans("Completion of Steward Basics and Health and Safety Essentials.")]
    assert found == [("steward-0", "exact"), ("health", "exact")]
    assert len(calls) < 20  # 500 copies of the title, each compared: over 1,000


def test_a_two_word_title_is_tried_only_where_its_other_word_stands_within_one_edit(monkeypatch):
    """Two-word titles that share a word (a catalogue of "Steward ..." courses, 600 of them): a
    text naming one, with a typo in either word, tries the titles whose other word stands beside
    the shared one as it is or one edit off, not every title with the shared word. Matches as
    written by hand: "Steward Mediaton" is "Steward Mediation" one letter off (fuzzy), "Safety
    Steward" is exact, and "Stewrad Mediation" is the first title with its shared word misspelt."""
    others = [f"Topic{n:03d}" for n in range(600)]
    finder = MentionFinder([KnownCourse(f"s-{w}", f"Steward {w}") for w in others]
                           + [KnownCourse("mediation", "Steward Mediation"), KnownCourse("safety", "Safety Steward")])
    calls = _count_comparisons(monkeypatch)
    found = [(c.course_id, kind) for _, _, c, kind in
             finder.spans("Completion of Steward Mediaton; or Safety Steward.")]
    assert found == [("mediation", "fuzzy"), ("safety", "exact")]
    found = [(c.course_id, kind) for _, _, c, kind in finder.spans("Stewrad Mediation")]
    assert found == [("mediation", "fuzzy")]
    assert len(calls) < 40  # every "Steward ..." title tried where "Steward" stands: over 1,200


def test_the_titles_a_text_can_name_name_what_every_title_names():
    """refresh_prerequisites builds its finder of the titles sharing a word with the texts
    (warehouse.prerequisites.finder_for): on texts naming titles exactly, one letter off in either
    word, lower case, or not at all, it finds what a finder of every title finds. Expected by
    hand for three texts; the rest compared with the finder of every title."""
    from normalise.mentions import folded_words
    from warehouse.prerequisites import finder_for

    words = ["Steward", "Mediation", "Bargaining", "Pension", "Grievance", "Health", "Safety", "Leadership",
             "Finance", "Treasurer", "Equity", "Organizing"]
    titles = [f"{a} {b}" for a in words for b in words if a != b] + words + ["Health and Safety for Stewards"]
    con = duckdb.connect()
    con.execute("CREATE TABLE courses (course_id VARCHAR, provider VARCHAR, title VARCHAR, status VARCHAR)")
    con.executemany("INSERT INTO courses VALUES (?, 'CUPE', ?, 'active')", [(f"c{k:03d}", t) for k, t in enumerate(titles)])
    every = MentionFinder([KnownCourse(f"c{k:03d}", t) for k, t in enumerate(titles)])
    texts = ["Completion of Steward Mediaton; or Safety Steward.", "Stewrad Mediation", "Must be a member",
             "Health and Safety for Stewards and Pension Finance", "grievance equity"]
    texts += [f"Completion of {t[:-2] + t[-1] + t[-2]} first" for t in titles]  # the last two letters swapped
    texts += [f"{t} or {titles[-k]}" for k, t in enumerate(titles[::7], 1)]
    found, kept = {}, 0
    for text in texts:
        mine = finder_for(con, "CUPE", folded_words(text))
        kept += len(mine._titles)
        found[text] = [(p.name, p.course_id, p.match) for p in parse_prerequisites(text, mine)]
        assert found[text] == [(p.name, p.course_id, p.match) for p in parse_prerequisites(text, every)], text
    assert found["Stewrad Mediation"] == [("Stewrad Mediation", f"c{titles.index('Steward Mediation'):03d}", "fuzzy")]
    assert found["Must be a member"] == [] and found["grievance equity"] == []  # lower case names no title
    assert [p[1] for p in found["Health and Safety for Stewards and Pension Finance"]] == [
        f"c{titles.index('Health and Safety for Stewards'):03d}", f"c{titles.index('Pension Finance'):03d}"]
    assert sum(1 for ps in found.values() for p in ps if p[2] == "fuzzy") > 50
    assert kept < len(texts) * len(titles) / 4  # the finders held a quarter of the titles or fewer


def test_texts_from_the_field_and_from_notes():
    assert prerequisite_texts("OH&S for Union Activists", []) == ["OH&S for Union Activists"]
    assert prerequisite_texts(None, ["This workshop is for stewards.", "Pre-requisite: Introduction to Stewarding"]) == [
        "Introduction to Stewarding"]
    assert prerequisite_texts(" ", ["Prerequisites (required): Financial Essentials"]) == ["Financial Essentials"]


CUPE_PAGE = """<html><body><main>
<div class="row"><h3><a href="/mrm-union-education/workshop/1">SLS - Introduction to Stewarding</a></h3>
<div>9 hours</div><div>Steward Learning Series</div>
<p>What does a CUPE steward do? If you are a new steward, start here.</p></div>
<div class="row"><h3><a href="/mrm-union-education/workshop/2">SLS - Handling Grievances</a></h3>
<div>6 hours</div><div>Steward Learning Series</div>
<p>Stewards practise writing and presenting a grievance.</p>
<p>Pre-requisite: SLS - Introduction to Stewarding</p></div>
<div class="row"><h3><a href="/mrm-union-education/workshop/3">LET - Financial Officers</a></h3>
<div>1 day</div><div>Local Executive Training</div>
<p>Bookkeeping and auditing for secretary-treasurers and trustees.</p>
<p>Pre-requisite: LET - Financial Essentials (1 day)</p></div>
</main></body></html>"""


def load_of(source: str, page: str, url: str) -> SourceLoad:
    listings, result = listings_of(page, source, url)
    assert result.errors == []
    return SourceLoad(source=source, status="loaded", listings=listings, grouping=group_listings(listings))


def test_links_written_by_the_load(tmp_path, aupe_html):
    db = tmp_path / "w.duckdb"
    empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    run = RunRecord(run_id="r1", started_at=datetime.now(timezone.utc), mode="archive",
                    sources=["cupe-workshops", "aupe-courses"])
    publish(db, run, [load_of("cupe-workshops", CUPE_PAGE, CUPE_URL), load_of("aupe-courses", aupe_html, AUPE_URL)])
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT provider, title, requires, requires_title, text FROM prerequisites_by_course").fetchall()
    assert rows == [
        ("AUPE", "Contract Interpretation", "Foundations for Union Stewards", "Foundations for Union Stewards",
         "Foundations for Union Stewards"),
        ("AUPE", "Foundations for Union Stewards", "Introduction to Your Union", "Introduction to Your Union",
         "Introduction to Your Union"),
        # CUPE: linked to the course of that title; Financial Essentials is not on this page: unlinked.
        ("CUPE", "Financial Officers", "Financial Essentials", None, "LET - Financial Essentials (1 day)"),
        ("CUPE", "Handling Grievances", "Introduction to Stewarding", "Introduction to Stewarding",
         "SLS - Introduction to Stewarding"),
    ]
    # The link is to the course id, and only within the union.
    (linked,) = con.execute("""SELECT p.requires_course_id = r.course_id FROM course_prerequisites p
                               JOIN courses r ON r.title = 'Introduction to Stewarding'
                               WHERE p.requires = 'Introduction to Stewarding'""").fetchall()
    assert linked == (True,)
    con.close()
