"""The CUPE block grammar on the other catalogue forms SITES.md records. Expected values
are the page text below, read by hand."""
from tests.conftest import CUPE_URL
from tests.helpers import listings_of

CAPTURE = """Skip to main content
Workshop Catalog
Text search terms
Search results
1 weeks
Online Learning Series, Bargaining Program
This workshop uses an intensive roleplay to build solidarity.
3 hours | Steward Learning Series
Learn how to write a grievance.
• gather the facts;
• write it down.
Duration: 9 hours
Conflict is a natural part of our lives.

NOTE: This workshop is for the local executive.

Follow us
Facebook
Twitter
© 2025 Canadian Union of Public Employees
"""


def test_other_catalogue_forms_in_a_text_capture():
    listings, result = listings_of(CAPTURE, "cupe-workshops", CUPE_URL)
    assert result.errors == [] and result.blocks_seen == len(listings) == 3
    week, steward, conflict = listings
    assert (week.duration_text, week.duration_raw, week.duration_hours) == ("1 week", "1 weeks", 35.0)
    assert week.programmes == ["Bargaining Program"] and week.series == "Bargaining Program"
    assert week.delivery_mode == "online"
    assert week.description == "This workshop uses an intensive roleplay to build solidarity."
    assert (steward.duration_text, steward.series, steward.programmes) == (
        "3 hours", "Steward Learning Series", ["Steward Learning Series"])
    assert steward.bullets == ["gather the facts;", "write it down."]
    # The footer (short lines after a blank line) is found by structure, not by its words.
    assert conflict.description == "Conflict is a natural part of our lives."
    assert conflict.audience == "the local executive" and conflict.notes == []


def test_a_length_line_without_a_description_is_a_block_error():
    page = "3 hours\nSteward Learning Series\n6 hours\nLearn things.\n"
    listings, result = listings_of(page, "cupe-workshops", CUPE_URL)
    assert [l.duration_text for l in listings] == ["6 hours"]
    (err,) = result.errors
    assert err.position == 0 and "Steward Learning Series" in err.raw_text
    assert result.blocks_seen == 2


def test_programme_heading_sets_the_programme_below_it_until_the_next_section():
    page = ("<main><h2>Steward Learning Series</h2><div><h3><a href='/w/1'>Notetaking</a></h3><p>3 hours</p>"
            "<p>Take good notes.</p></div><h2>Other workshops</h2><div><p>6 hours</p><p>Learn more.</p></div></main>")
    listings, result = listings_of(page, "cupe-workshops", CUPE_URL)
    assert result.errors == []
    a, b = listings
    assert (a.title, a.series, a.description) == ("Notetaking", "Steward Learning Series", "Take good notes.")
    assert a.link == "https://cupe.ca/w/1"
    assert (b.title, b.series, b.description) == (None, None, "Learn more.")
