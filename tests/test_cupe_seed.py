"""The CUPE catalogue seed (visible text) parsed as text. Expected values below were
read off ../shared/seeds/004_f2b4f38a1485bd1c.txt by hand."""
from collections import Counter

import pytest

from tests.conftest import CUPE_URL
from tests.helpers import find, listings_of


@pytest.fixture(scope="module")
def seed(seed_text):
    listings, result = listings_of(seed_text, "cupe-workshops", CUPE_URL)
    return listings, result


def test_84_listings_and_no_unreadable_block(seed):
    listings, result = seed
    assert len(listings) == 84
    assert result.errors == []
    assert [l.position for l in listings] == list(range(84))


def test_duration_counts(seed):
    listings, _ = seed
    assert Counter(l.duration_text for l in listings) == {
        "3 hours": 43, "9 hours": 21, "6 hours": 7, "1 week": 6, "1 day": 3,
        "14 hours": 2, "1 hour": 1, "2 hours": 1,
    }


def test_programme_counts(seed):
    listings, _ = seed
    assert Counter(l.series for l in listings) == {
        "Steward Learning Series": 23, "Local Executive Training": 12, "Bargaining Program": 10,
        "Health & Safety Learning Series": 10, None: 29,
    }


def test_first_blocks_in_page_order(seed):
    listings, _ = seed
    assert [l.duration_text for l in listings[:10]] == [
        "6 hours", "9 hours", "1 week", "3 hours", "6 hours", "3 hours", "3 hours", "9 hours", "1 day", "3 hours"]
    assert listings[10].series is None and listings[10].duration_text == "9 hours"


def test_no_header_or_footer_text(seed):
    listings, _ = seed
    for l in listings:
        text = " ".join([l.description, *l.bullets, *l.notes, l.audience or ""])
        assert "Skip to main content" not in text
        assert "Our social site pages" not in text
    assert all(l.title is None for l in listings)  # the capture dropped every title


def test_block_with_bullets_and_audience(seed):
    l = seed[0][0]
    assert l.provider == "CUPE" and l.source == "cupe-workshops" and l.source_url == CUPE_URL
    assert (l.duration_value, l.duration_unit, l.duration_hours) == (6.0, "hour", 6.0)
    assert l.series == "Bargaining Program"
    assert l.description == "In this workshop, the local executive:"
    assert l.bullets == [
        "analyzes their contract and identifies gaps;",
        "learns about the Collective Agreement Information System (CAIS) and the importance of using clear language.",
    ]
    assert l.audience == "the local executive"
    assert l.notes == []


def test_audience_with_a_second_sentence(seed):
    l = find(seed[0], "This workshop uses an intensive roleplay")
    assert l.duration_text == "1 week" and l.duration_hours == 35.0
    assert l.audience == "activists who want to learn how to use collective bargaining to build union power"
    assert l.notes == ["This is not a “learn how to bargain” workshop."]


def test_requirement_note_and_paragraphs(seed):
    l = find(seed[0], "Once secretary-treasurers and trustees complete the Financial Essentials")
    assert l.duration_text == "1 day" and l.duration_hours == 7.0
    assert l.series == "Local Executive Training"
    assert l.notes == ["LAPTOP REQUIRED-if possible."]
    assert len(l.description.split("\n\n")) == 3
    assert l.description.split("\n\n")[1].startswith("Treasurers will learn how to use the CUPE electronic ledger")


def test_dash_bullets_without_space(seed):
    l = find(seed[0], "In this workshop, participants will explore:")
    assert l.series == "Local Executive Training" and l.duration_text == "3 hours"
    assert l.bullets == [
        "The value of conflict for effective groups",
        "How our beliefs about conflict shape how we respond",
        "The kinds of conflict executives struggle with",
        "Productive ways to resolve conflict on an executive",
    ]


def test_lone_o_line_is_an_empty_bullet_not_text(seed):
    l = find(seed[0], "Schoolboard, municipal, provincial or federal election coming up?")
    assert l.duration_text == "6 hours" and l.series is None
    assert l.bullets == []
    assert l.description.split("\n\n") == [
        "Schoolboard, municipal, provincial or federal election coming up? The outcome of elections affects workers, public services and equality rights.",
        "This workshop provides a chance to explore current electoin issues with others, how to get involveda nd to support others to have an impact on the outcome of an election.",
    ]


def test_one_hour_and_two_hour_blocks(seed):
    one = [l for l in seed[0] if l.duration_text == "1 hour"][0]
    assert one.series == "Local Executive Training"
    assert one.bullets[0] == "has taken the 9- hour parliamentary procedure workshop, to help refresh and practice chairing skills."
    two = [l for l in seed[0] if l.duration_text == "2 hours"][0]
    assert two.description.startswith("Aimed at new members, this 2-hour workshop")
    assert two.duration_hours == 2.0


def test_pointer_note_is_a_note_not_audience(seed):
    l = find(seed[0], "This course serves as an introduction into the world of health and safety")
    assert l.series is None
    assert l.notes == ["See more Health and Safety courses in the Health and Safety Learning Series."]
    assert l.audience is None
    assert len(l.bullets) == 4


def test_last_block_stops_before_footer(seed):
    l = seed[0][-1]
    assert l.description.startswith("Feel more comfortable “speaking up”")
    assert l.audience == "members who identify as women"
    assert l.bullets[-1] == "gain experience speaking in front of a supportive group."
