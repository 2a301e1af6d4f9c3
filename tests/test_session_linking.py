"""Linking sessions to the seed catalogue's courses: precision first, on the look-alikes SITES.md names."""
from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from grouping import group_listings
from grouping.sessions import DESCRIPTION_MIN, CourseRef, course_refs, course_text, link_sessions
from tests.conftest import CUPE_URL
from tests.helpers import listings_of
from tests.test_session_parsers import sessions_of, text

FE = "This workshop is for all members in an elected position"
FO = "Once secretary-treasurers and trustees complete the Financial Essentials"
STEWARD = "What does a CUPE steward do?"
CHAMP_SLS = "Championing human rights in the workplace and the union is an important role for stewards"
CHAMP_LET = "Championing human rights in the workplace and the union is a vital role of local union leaders"
CHAMP_HS = "Championing equality in the workplace and the union is a vital role of health and safety activists"
HOW_BARG = "This module can be added to other parts of the Bargaining Education Program"


@pytest.fixture(scope="module")
def catalogue(seed_text):
    listings, _ = listings_of(seed_text, "cupe-workshops", CUPE_URL)
    return course_refs(group_listings(listings), listings)


def course_starting(courses: list[CourseRef], start: str) -> CourseRef:
    hits = [c for c in courses if c.description.startswith(start)]
    assert len(hits) == 1, (start, len(hits))
    return hits[0]


def linked(name: str, catalogue):
    sessions, _ = sessions_of(text(name))
    return link_sessions(sessions, catalogue)


def test_listing_rows_link_by_description(catalogue):
    fe_session, fo_session, following, steward = linked("cupe-events-page0.txt", catalogue)
    # "duties regarding the finances" on the listing, "duties within" in the catalogue
    assert "duties regarding the finances" in fe_session.description
    assert fe_session.course_id == course_starting(catalogue, FE).course_id
    assert fe_session.match_method == "description" and DESCRIPTION_MIN <= fe_session.match_score < 100
    # the day-2 sequel shares its first words with Financial Essentials' name; it is its own course
    assert fo_session.course_id == course_starting(catalogue, FO).course_id
    assert steward.course_id == course_starting(catalogue, STEWARD).course_id


def test_a_course_missing_from_the_catalogue_is_not_linked_to_financial_essentials(catalogue):
    following = linked("cupe-events-page0.txt", catalogue)[2]
    assert following.description.startswith("Following the completion of LET - Financial Essentials")
    assert (following.course_id, following.match_method, following.match_score) == (None, None, None)


def test_the_three_championing_modules_are_not_confused(catalogue):
    sls, let, hs = linked("cupe-events-page1.txt", catalogue)
    ids = {course_starting(catalogue, CHAMP_SLS).course_id, course_starting(catalogue, CHAMP_LET).course_id,
           course_starting(catalogue, CHAMP_HS).course_id}
    assert len(ids) == 3
    assert sls.course_id == course_starting(catalogue, CHAMP_SLS).course_id
    assert let.course_id == course_starting(catalogue, CHAMP_LET).course_id
    assert hs.course_id == course_starting(catalogue, CHAMP_HS).course_id


def test_the_championing_look_alikes_really_are_close(catalogue):
    """The margin rule is what keeps them apart: LET and H&S modules score high against each other."""
    let = course_starting(catalogue, CHAMP_LET)
    hs = course_starting(catalogue, CHAMP_HS)
    score = fuzz.ratio(course_text(let.description, let.bullets), course_text(hs.description, hs.bullets))
    assert 60 < score < DESCRIPTION_MIN


def test_event_pages_link_and_keep_programmes_apart(catalogue):
    fe, fo = linked("cupe-event-finances.txt", catalogue)
    assert (fe.title, fe.course_id) == ("Financial Essentials", course_starting(catalogue, FE).course_id)
    assert (fo.title, fo.course_id) == ("Financial Officers", course_starting(catalogue, FO).course_id)
    assert fe.course_id != fo.course_id
    barg, steward = linked("cupe-event-school.txt", catalogue)
    assert barg.course_id == course_starting(catalogue, HOW_BARG).course_id
    assert steward.course_id == course_starting(catalogue, STEWARD).course_id


def test_a_session_whose_text_fits_two_courses_equally_is_not_linked(catalogue):
    fe = course_starting(catalogue, FE)
    twin = CourseRef(course_id="twin", provider="CUPE", title=None, series=fe.series, description=fe.description)
    (s,), _ = sessions_of(text("cupe-events-page0.txt").split("November 24")[0])
    (out,) = link_sessions([s], catalogue + [twin])
    assert out.course_id is None


def test_a_programme_that_disagrees_rules_a_course_out(catalogue):
    (fe, _), _ = sessions_of(text("cupe-event-finances.txt"))
    wrong = fe.model_copy(update={"programme": "Bargaining Program"})
    (out,) = link_sessions([wrong], catalogue)
    assert out.course_id is None


def test_workshop_link_first_then_title():
    course = CourseRef(course_id="c38", provider="CUPE", title="Financial Essentials", series="Local Executive Training",
                       description="Something else entirely.", links=("https://cupe.ca/mrm-union-education/workshop/38",))
    other = CourseRef(course_id="c2", provider="CUPE", title=None, series=None, description="Unrelated text here.")
    (fe, _), _ = sessions_of(text("cupe-event-finances.txt"))
    by_link = fe.model_copy(update={"workshop_url": "https://cupe.ca/mrm-union-education/workshop/38"})
    (out,) = link_sessions([by_link], [course, other])
    assert (out.course_id, out.match_method, out.match_score) == ("c38", "workshop link", 100.0)
    (out,) = link_sessions([fe], [course, other])
    assert (out.course_id, out.match_method, out.match_score) == ("c38", "title", 100.0)
    (out,) = link_sessions([fe.model_copy(update={"provider": "AUPE"})], [course, other])
    assert out.course_id is None  # another union's course is never a candidate


def test_each_course_is_folded_once_however_many_sessions_are_linked(catalogue, monkeypatch):
    """Linking n sessions against m courses folds the m course texts once, not n times each
    (a nightly with a thousand workshop pages against the whole catalogue spent minutes here)."""
    import grouping.sessions as linking

    sessions = linked("cupe-events-page0.txt", catalogue) * 25  # 100 sessions
    calls = []
    real = linking.course_text
    monkeypatch.setattr(linking, "course_text", lambda d, b: calls.append(d) or real(d, b))
    aupe = CourseRef(course_id="aupe-1", provider="AUPE", title="Steward Basics", series=None,
                     description="An AUPE course: never a candidate for a CUPE session.")
    out = link_sessions(sessions, catalogue + [aupe])
    with_description = sum(1 for c in catalogue if c.description)
    assert len(calls) == with_description + len(sessions)  # each CUPE course once, each session once
    assert aupe.description not in calls  # another union's courses are not even folded
    assert [s.course_id for s in out] == [s.course_id for s in sessions]
