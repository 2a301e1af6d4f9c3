"""Topics on the CUPE seed: every course gets one, and a hand-checked sample of 20 is right.

The expected topics below were written from reading the seed text
(../shared/seeds/004_f2b4f38a1485bd1c.txt), course by course, against the taxonomy of
docs/topics.md: what the course teaches, not who it is for (that is courses_for_audience).
"""
from __future__ import annotations

import pytest

from grouping import group_listings
from tests.conftest import CUPE_URL
from tests.helpers import listings_of
from topics import FALLBACK_RULE, RULES, TOPICS, assign_topics, passing_spans

BARG, STEW, HS = "bargaining", "stewarding and grievances", "health and safety"
EQ, LEAD, POL, BASICS = ("equity and human rights", "local leadership and finances",
                         "political action and communications", "union basics")

# (a snippet found in exactly one course's description or bullets, programme, expected topics)
HAND_CHECKED = [
    ("analyzes their contract and identifies gaps", "Bargaining Program", {BARG}),
    ("gives bargaining committee members the training", "Bargaining Program", {BARG}),
    # "administration, finance/strike pay, communications": named in passing, not taught as topics
    ("To be effective, a strike needs to be well organized", "Bargaining Program", {BARG}),
    ("We rely heavily on the written word", None, {POL}),
    ("Challenging racism in the workplace", None, {EQ}),
    ("rights and responsibilities of both employers and unions under the Duty to Accommodate", None, {EQ}),
    ("introduction into the world of health and safety", None, {HS}),
    ("Championing equality in the workplace and the union is a vital role of health and safety activists",
     "Health & Safety Learning Series", {HS, EQ}),
    ("What does a CUPE steward do?", None, {STEW}),
    ("Although most grievances get settled, some go to arbitration", "Steward Learning Series", {STEW}),
    ("learning about the basics of the local union’s finances", "Local Executive Training", {LEAD}),
    ("Recording Secretaries play a vital role", "Local Executive Training", {LEAD}),
    ("vital role of local union leaders", "Local Executive Training", {LEAD, EQ}),
    ("prepares participants to lobby", None, {POL}),
    ("Good grievance handling means keeping well organized files", "Steward Learning Series", {STEW}),
    ("What is homophobia and transphobia", "Steward Learning Series", {STEW, EQ}),
    ("Stewards need to work with health and safety activists", "Steward Learning Series", {STEW, HS}),
    ("the role that stewards play during bargaining", "Steward Learning Series", {STEW, BARG}),
    ("Facebook, Twitter, YouTube", None, {POL}),
    ("Aimed at new members", None, {BASICS}),
]


@pytest.fixture(scope="module")
def seed_courses(seed_text):
    listings, _ = listings_of(seed_text, "cupe-workshops", CUPE_URL)
    return group_listings(listings).courses


def _course(courses, snippet):
    hits = [c for c in courses if snippet in "\n".join([c.description, *c.bullets])]
    assert len(hits) == 1, f"{len(hits)} seed courses contain {snippet!r}"
    return hits[0]


def test_every_seed_course_gets_at_least_one_known_topic(seed_courses):
    assert len(seed_courses) == 78
    rule_names = {r.name for r in RULES} | {FALLBACK_RULE}
    for c in seed_courses:
        pairs = assign_topics(c.title, c.series, c.description, c.bullets)
        assert pairs, c.description[:60]
        for topic, rule in pairs:
            assert topic in TOPICS and rule in rule_names
        assert len({t for t, _ in pairs}) == len(pairs), "one pair per topic"


@pytest.mark.parametrize("snippet, series, expected", HAND_CHECKED, ids=[h[0][:30] for h in HAND_CHECKED])
def test_hand_checked_sample(seed_courses, snippet, series, expected):
    course = _course(seed_courses, snippet)
    assert course.series == series
    got = {t for t, _ in assign_topics(course.title, course.series, course.description, course.bullets)}
    assert got == expected


def test_the_sample_has_twenty_courses_and_spans_every_topic():
    assert len(HAND_CHECKED) == 20
    assert set().union(*(e for _, _, e in HAND_CHECKED)) == set(TOPICS)


def test_passing_mentions_do_not_count(seed_courses):
    # Labour history lists "health and safety legislation" among unions' wins; it is no H&S course.
    history = _course(seed_courses, "Unions have led the charge for shorter work weeks")
    topics = {t for t, _ in assign_topics(history.title, history.series, history.description, history.bullets)}
    assert HS not in topics and BASICS in topics
    text = "Unions have led the charge for shorter weeks, health and safety legislation, bargaining rights, and more."
    (span,) = passing_spans(text)
    assert text[span[0]:span[1]].startswith(" health and safety legislation, bargaining rights")
    assert passing_spans("Learn how to read the room, understand body language.") == []


def test_rules_name_their_source_and_the_fallback():
    assert assign_topics(None, "Steward Learning Series", "Any text at all.", []) == \
        [(STEW, "programme:steward")]
    assert assign_topics("Contract Interpretation", None, "How to read and interpret the language of your "
                         "collective agreement.", []) == [(STEW, "text:contract-interpretation")]
    assert assign_topics(None, None, "Conflict is a natural part of our lives.", []) == [(BASICS, FALLBACK_RULE)]
    # a title counts even inside a list-like title
    assert (HS, "text:health-and-safety") in assign_topics("Introduction to Occupational Health and Safety", None, "", [])


def test_docs_name_every_rule():
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "topics.md").read_text(encoding="utf-8")
    for rule in [r.name for r in RULES] + [FALLBACK_RULE]:
        assert f"`{rule}`" in docs, rule
    for topic in TOPICS:
        assert f"| {topic} |" in docs, topic
    from warehouse.analyst import AUDIENCE_RULES

    for category, rule, _ in AUDIENCE_RULES:
        assert f"| {category} | `{rule}` |" in docs, rule
