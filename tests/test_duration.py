"""The length grammar: the forms the sites use, and generated phrasings (hypothesis)."""
import pytest
from hypothesis import given, strategies as st

from normalise.duration import Conventions, find_durations, parse_duration

CASES = [
    ("3 hours", 3, 3, "hour"), ("1 day", 1, 1, "day"), ("1 week", 1, 1, "week"),
    ("14 hours", 14, 14, "hour"), ("(2 days)", 2, 2, "day"), ("two-day", 2, 2, "day"),
    ("6-hour", 6, 6, "hour"), ("half-day", 0.5, 0.5, "day"), ("1.5 days", 1.5, 1.5, "day"),
    ("2-3 hours", 2, 3, "hour"), ("2 – 3 hours", 2, 3, "hour"), ("9- hour", 9, 9, "hour"),
    ("1 hour", 1, 1, "hour"), ("Three Days", 3, 3, "day"), ("2 to 3 hours", 2, 3, "hour"),
]


@pytest.mark.parametrize("text,low,high,unit", CASES)
def test_site_forms(text, low, high, unit):
    d = parse_duration(text)
    assert d is not None, text
    assert (d.value, d.value_max, d.unit) == (low, high, unit)


@pytest.mark.parametrize("text", ["Bargaining Program", "hours", "", "3", "In 3 hours we learn a lot",
                                  "3 apples", "3-2 hours", "0 hours", "a day"])
def test_not_a_length(text):
    assert parse_duration(text) is None


def test_contact_hours_by_convention():
    c = Conventions(hours_per_day=7, days_per_week=5)
    assert c.hours(1, "week") == 35 and c.hours(2, "day") == 14 and c.hours(3, "hour") == 3
    assert Conventions(6.5, 4).hours(1, "week") == 26


def test_find_in_text():
    found = find_durations("Aimed at new members, this 2-hour workshop; a two-day course; has taken the 9- hour one.")
    assert [(d.value, d.unit) for _, _, d in found] == [(2, "hour"), (2, "day"), (9, "hour")]


WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 9: "nine", 12: "twelve"}
UNIT_FORMS = {"hour": ["hour", "hours", "hrs", "Hours"], "day": ["day", "days", "Days"], "week": ["week", "weeks"]}


@st.composite
def phrasings(draw):
    unit = draw(st.sampled_from(sorted(UNIT_FORMS)))
    low = draw(st.integers(min_value=1, max_value=12))
    ranged = draw(st.booleans())
    high = draw(st.integers(min_value=low + 1, max_value=40)) if ranged else low
    as_word = not ranged and low in WORDS and draw(st.booleans())
    number = WORDS[low] if as_word else (f"{low}{draw(st.sampled_from(['-', ' - ', '–', ' to ']))}{high}" if ranged else str(low))
    unit_word = draw(st.sampled_from(UNIT_FORMS[unit]))
    joiner = draw(st.sampled_from([" ", "-", "- ", "  "]))
    text = f"{number}{joiner}{unit_word}"
    if draw(st.booleans()):
        text = f"({text})"
    pad = draw(st.sampled_from(["", " ", "\t"]))
    return f"{pad}{text}{pad}", float(low), float(high), unit


@given(phrasings())
def test_generated_phrasings(case):
    text, low, high, unit = case
    d = parse_duration(text)
    assert d is not None, text
    assert (d.value, d.value_max, d.unit) == (low, high, unit), text


@given(phrasings(), st.sampled_from(["This ", "Aimed at members, this ", ""]), st.sampled_from([" workshop.", " course", ""]))
def test_generated_phrasings_inside_text(case, before, after):
    text, low, high, unit = case
    found = find_durations(before + text.strip() + after)
    assert len(found) == 1
    assert (found[0][2].value, found[0][2].value_max, found[0][2].unit) == (low, high, unit)


@pytest.mark.parametrize("text", ["(", "   ", "( )", "-", "()", "\t("])
def test_punctuation_alone_is_no_length(text):
    assert parse_duration(text) is None


@given(st.text(max_size=40))
def test_any_short_text_parses_or_is_none(text):
    d = parse_duration(text)
    assert d is None or (d.value > 0 and d.value_max >= d.value and d.unit in ("hour", "day", "week"))
