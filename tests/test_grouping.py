"""Grouping length variants (docs/grouping.md). Expected groups come from SITES.md."""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from grouping import group_listings
from grouping.variants import SIMILARITY_THRESHOLD
from schema.models import Listing
from tests.conftest import CUPE_URL
from tests.helpers import listings_of

# SITES.md: the four workshops of the seed listed at several lengths, by their opening words.
VARIANTS = {
    "Bullying hurts everyone.": ["3 hours", "6 hours", "9 hours"],
    "Conflict is a natural part of our lives.": ["9 hours", "14 hours", "1 week"],
    "Unions have led the charge for shorter work weeks": ["9 hours", "1 week"],
    "Pensions are our deferred wages.": ["9 hours", "1 week"],
}
# A reconstruction of the 6-hour workshop SITES.md describes: the conflict workshop's opening
# sentence, then other text with "-" bullets.
HARD_CASE = """6 hours
Conflict is a natural part of our lives. In this workshop, participants explore where conflict comes from and how to respond to it:
-Recognize the sources of conflict at work
-Use active listening to calm a situation
-Plan a conversation with a co-worker
"""


@pytest.fixture(scope="module")
def seed(seed_text):
    listings, _ = listings_of(seed_text, "cupe-workshops", CUPE_URL)
    return listings


def listing(**kw) -> Listing:
    base = dict(provider="CUPE", source="cupe-workshops", source_url="u", position=0,
                description="A course about something particular.", duration_text="3 hours",
                duration_hours=3.0, duration_hours_max=3.0)
    base.update(kw)
    return Listing(**base)


def course_of(g, listings, start):
    ids = {g.course_of[i] for i, l in enumerate(listings) if l.description.startswith(start)}
    assert len(ids) == 1, start
    return ids.pop()


def test_seed_gives_78_courses_and_exactly_the_four_known_multi_length_courses(seed):
    g = group_listings(seed)
    assert len(g.courses) == 78
    multi = [c for c in g.courses if c.n_variants > 1]
    assert len(multi) == 4
    got = {next(s for s in VARIANTS if c.description.startswith(s)): c.lengths for c in multi}
    assert got == VARIANTS
    for c in multi:
        members = [seed[i] for i, cid in enumerate(g.course_of) if cid == c.course_id]
        assert sorted(m.duration_text for m in members) == sorted(c.lengths)
    reasons = {v.join_reason for v in g.variants if v.course_id in {c.course_id for c in multi}}
    assert reasons == {"same description"}


def test_look_alikes_stay_apart(seed):
    g = group_listings(seed)
    championing = {g.course_of[i] for i, l in enumerate(seed) if l.description.startswith("Championing")}
    assert len(championing) == 3
    fin = course_of(g, seed, "This workshop is for all members in an elected position")
    day2 = course_of(g, seed, "Once secretary-treasurers and trustees complete the Financial Essentials")
    assert fin != day2
    # The seed's other conflict workshops are different courses.
    conflict = course_of(g, seed, "Conflict is a natural part of our lives.")
    for other in ("Knowing how to handle conflict well", "Too much conflict? Not enough?",
                  "In this workshop, participants will explore:"):
        assert course_of(g, seed, other) != conflict
    # Same audience note, different courses.
    women = {g.course_of[i] for i, l in enumerate(seed) if l.audience == "members who identify as women"}
    assert len(women) == 2


def test_hard_case_stays_a_course_of_its_own(seed):
    extra, _ = listings_of(HARD_CASE, "cupe-workshops", CUPE_URL)
    listings = seed + extra
    g = group_listings(listings)
    assert len(g.courses) == 79
    assert g.course_of[-1] != course_of(g, seed, "Conflict is a natural part of our lives. Learning")


def test_reworded_text_without_titles_joins_when_nearly_identical():
    a = listing(description="Conflict is a natural part of our lives. Learning to handle it well improves relationships with other members, co-workers and the employer.",
                bullets=["deepen your understanding of conflict;", "practice responding to conflict."])
    b = listing(position=1, duration_text="9 hours", duration_hours=9.0, duration_hours_max=9.0,
                description="Conflict is a natural part of our lives. Learning to handle it well improves relationships with other members, coworkers and the employer.",
                bullets=["deepen your understanding of conflict", "practise responding to conflict"])
    g = group_listings([a, b])
    assert len(g.courses) == 1
    v = {x.duration_text: x for x in g.variants}
    assert v["9 hours"].join_reason == "similar description"
    assert v["9 hours"].join_score >= SIMILARITY_THRESHOLD


def test_same_length_different_texts_never_merge_however_alike():
    a = listing(description="Conflict is a natural part of our lives. Learning to handle it well improves relationships with other members, co-workers and the employer.")
    b = listing(position=1, description="Conflict is a natural part of our lives. Learning to handle it well improves relationships with other members, coworkers and the employer.")
    assert len(group_listings([a, b]).courses) == 2


def test_fuzzy_join_refuses_to_put_two_texts_at_one_length():
    text = "Learning to handle conflict well improves relationships with other members, co-workers and the employer, and this is a long text."
    a3 = listing(description=text)
    b9 = listing(position=1, description=text.replace("co-workers", "coworkers"), duration_text="9 hours",
                 duration_hours=9.0, duration_hours_max=9.0)
    c3 = listing(position=2, description=text.replace("and the employer", "and the employers"))
    g = group_listings([a3, b9, c3])
    assert g.course_of[0] != g.course_of[2]


def test_titles_decide_and_strip_prefix_marker_and_length():
    a = listing(title="Notetaking", series="Steward Learning Series", description="Why take notes?")
    b = listing(position=1, title="Notetaking", series="Steward Learning Series", description="A reworded text entirely.",
                duration_text="9 hours", duration_hours=9.0, duration_hours_max=9.0, delivery_mode="online")
    g = group_listings([a, b])
    assert len(g.courses) == 1
    assert {v.join_reason for v in g.variants} == {"same title"}
    assert g.courses[0].key_kind == "title"


def test_same_title_in_different_programmes_stays_apart():
    a = listing(title="Championing Human Rights", series="Steward Learning Series")
    b = listing(position=1, title="Championing Human Rights", series="Local Executive Training",
                duration_text="9 hours", duration_hours=9.0, duration_hours_max=9.0)
    assert len(group_listings([a, b]).courses) == 2


def test_same_text_with_different_titles_stays_apart():
    a = listing(title="Course A")
    b = listing(position=1, title="Course B", duration_text="9 hours", duration_hours=9.0, duration_hours_max=9.0)
    c = listing(position=2, duration_text="6 hours", duration_hours=6.0, duration_hours_max=6.0)  # untitled, same text
    g = group_listings([a, b, c])
    assert len(g.courses) == 3


def test_identical_listings_collapse_into_one_counted_variant(seed):
    g = group_listings(seed + [seed[0].model_copy(update={"position": 84})])
    assert len(g.courses) == 78
    (v,) = [v for v in g.variants if v.course_id == g.course_of[0]]
    assert v.n_listings == 2


def test_ids_do_not_depend_on_order_or_siblings(seed):
    g = group_listings(seed)
    ids = {l.description[:60] + l.duration_text: cid for l, cid in zip(seed, g.course_of)}
    shuffled = seed[:]
    random.Random(4).shuffle(shuffled)
    g2 = group_listings(shuffled)
    assert {l.description[:60] + l.duration_text: cid for l, cid in zip(shuffled, g2.course_of)} == ids
    # Remove the 6-hour bullying variant: the course keeps its id.
    bully = course_of(g, seed, "Bullying hurts everyone.")
    fewer = [l for l in seed if not (l.description.startswith("Bullying") and l.duration_text == "6 hours")]
    assert course_of(group_listings(fewer), fewer, "Bullying hurts everyone.") == bully


def test_title_gaining_a_length_suffix_keeps_its_id():
    from normalise.listing import split_title

    a = listing(title=split_title("SLS - Notetaking", {"SLS": "Steward Learning Series"})["title"], series="Steward Learning Series")
    b = listing(title=split_title("SLS - Notetaking - 3 hours", {"SLS": "Steward Learning Series"})["title"], series="Steward Learning Series")
    assert group_listings([a]).courses[0].course_id == group_listings([b]).courses[0].course_id


# ---- properties ------------------------------------------------------------------------

TEXTS = ["Bullying hurts everyone.", "Conflict is a natural part of our lives.", "Pensions are our deferred wages.",
         "Learn about the arbitration process.", "Stewards need to work with health and safety activists."]
LENGTHS = [("3 hours", 3.0), ("6 hours", 6.0), ("9 hours", 9.0), ("1 week", 35.0)]


# Drawn sets per property: 75 (not a count any issue states; 150 cost ~8 s of CPU for the three).
GROUPING_EXAMPLES = 75


@st.composite
def listing_sets(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    out = []
    for i in range(n):
        text, (dur, hours) = draw(st.sampled_from(TEXTS)), draw(st.sampled_from(LENGTHS))
        out.append(listing(
            position=i, provider=draw(st.sampled_from(["CUPE", "AUPE"])),
            series=draw(st.sampled_from([None, "Steward Learning Series"])),
            title=draw(st.sampled_from([None, None, "Notetaking", "Grievances"])),
            description=text + draw(st.sampled_from(["", " ", " (revised)"])),
            duration_text=dur, duration_hours=hours, duration_hours_max=hours))
    return out


def _partition(g, listings):
    groups = {}
    for l, cid in zip(listings, g.course_of):
        groups.setdefault(cid, set()).add(l.position)
    return {cid: frozenset(p) for cid, p in groups.items()}


@settings(max_examples=GROUPING_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(listing_sets(), st.randoms(use_true_random=False))
def test_shuffling_changes_no_id_and_no_grouping(listings, rnd):
    before = _partition(group_listings(listings), listings)
    shuffled = listings[:]
    rnd.shuffle(shuffled)
    assert _partition(group_listings(shuffled), shuffled) == before


@settings(max_examples=GROUPING_EXAMPLES, deadline=None)
@given(listing_sets())
def test_every_listing_in_exactly_one_course_and_no_mixed_providers(listings):
    g = group_listings(listings)
    assert all(g.course_of) and len(g.course_of) == len(listings)
    by_course = {}
    for l, cid in zip(listings, g.course_of):
        by_course.setdefault(cid, set()).add(l.provider)
    assert all(len(p) == 1 for p in by_course.values())
    assert {c.course_id for c in g.courses} == set(g.course_of)
    assert sum(v.n_listings for v in g.variants) == len(listings)


@settings(max_examples=GROUPING_EXAMPLES, deadline=None)
@given(listing_sets(), st.sampled_from([" - 9 hours", " (2 days)", " – 3 hours"]))
def test_a_length_suffix_on_a_title_does_not_split_its_group(listings, suffix):
    from normalise.listing import split_title

    before = _partition(group_listings(listings), listings)
    suffixed = [l.model_copy(update={"title": split_title(l.title + suffix, {})["title"]}) if l.title else l
                for l in listings]
    assert _partition(group_listings(suffixed), suffixed) == before


@pytest.mark.parametrize("a,b", [
    ("Aimed at new members, this 2-hour workshop helps.", "Aimed at new members, this 9-hour workshop helps."),
    ("A two-day course; then a half-day.", "A three-day course; then a 1.5 days."),
    ("Learn in 2-3 hours (or 2 to 3 hours).", "Learn in 6 hours (or 1 week)."),
    ("Café – “union’s” rôle", "cafe unions role"),
    ("A 3h start, a 3 hrs end, 2 wks", "A start, a end,"),
])
def test_description_keys_ignore_lengths_case_accents_and_punctuation(a, b):
    from grouping.keys import description_key

    assert description_key(a, []) == description_key(b, [])


def test_description_keys_keep_words_that_only_look_like_units():
    from grouping.keys import description_key

    assert description_key("Shorter work weeks and holidays", []) == "shorter work weeks and holidays"
    assert description_key("Hours of work", []) != description_key("Days of work", [])
