"""AUPE course descriptions (reconstructed page, samples/archive/aupe-courses/courses.html).
Expected values read off the sample page by hand."""
import pytest

from tests.conftest import AUPE_URL
from tests.helpers import listings_of


@pytest.fixture(scope="module")
def aupe(aupe_html):
    listings, result = listings_of(aupe_html, "aupe-courses", AUPE_URL)
    assert result.errors == []
    return {l.title: l for l in listings}


def test_every_course_section_and_nothing_else(aupe):
    assert sorted(aupe) == sorted([
        "Workplace Power", "Picket Captain Training", "Introduction to Your Union",
        "Introduction to Occupational Health and Safety", "Rethinking Politics",
        "Foundations for Union Stewards", "Contract Interpretation", "Democracy at Work",
        "Labour History: An Introduction to Workers' History",
    ])


def test_title_length_availability(aupe):
    lh = aupe["Labour History: An Introduction to Workers' History"]
    assert lh.title_as_written == "Labour History: An Introduction to Workers' History (2 days) - Currently not available"
    assert (lh.duration_text, lh.duration_value, lh.duration_unit, lh.duration_hours) == ("2 days", 2.0, "day", 14.0)
    assert lh.availability == "Currently not available"
    iu = aupe["Introduction to Your Union"]
    assert iu.availability == "Available online only" and iu.delivery_mode == "online"
    assert iu.duration_text is None and iu.duration_hours is None
    dw = aupe["Democracy at Work"]
    assert dw.duration_text == "half day" and dw.duration_raw == "half-day" and dw.duration_hours == 3.5


def test_labelled_fields(aupe):
    wp = aupe["Workplace Power"]
    assert wp.provider == "AUPE" and wp.source == "aupe-courses"
    assert wp.description.startswith("Workplace Power is all about you and your colleagues. This two-day course")
    assert wp.audience == "All AUPE members."
    assert wp.prerequisites == "None"
    assert wp.methods == ["Group discussion", "Small-group activities"]
    assert wp.learning_outcomes == [
        "Identify issues in your workplace that coworkers care about",
        "Organize with your coworkers to act on those issues",
        "Use collective power to press management to act",
    ]
    pc = aupe["Picket Captain Training"]
    assert pc.notes == ["This course is especially important for members whose bargaining units are in collective bargaining."]
    assert pc.audience == "AUPE members who want to serve as picket captains."
    fs = aupe["Foundations for Union Stewards"]
    assert fs.prerequisites == "Introduction to Your Union"


def test_older_page_labels_as_text():
    page = """Course descriptions
Introduction to Your Union (1 day)
Registration: Through your local
Course Time: 9:00 – 4:30
Requirements: None
Description: An introduction to AUPE.
Footer text that is not a course
"""
    listings, result = listings_of(page, "aupe-courses", AUPE_URL)
    assert result.errors == []
    (l,) = listings
    assert l.title == "Introduction to Your Union" and l.duration_hours == 7.0
    assert l.prerequisites == "None"
    assert l.notes == []
    assert l.schedule_notes == ["Registration: Through your local", "Course Time: 9:00 – 4:30"]
    assert l.description.startswith("An introduction to AUPE.")


def test_heading_without_description_is_kept_as_an_unreadable_block():
    page = "<main><h2>Mystery Course (1 day)</h2><p><strong>Prerequisites:</strong> None</p></main>"
    listings, result = listings_of(page, "aupe-courses", AUPE_URL)
    assert listings == []
    (err,) = result.errors
    assert "Mystery Course" in err.reason and "Description" in err.reason
    assert "Prerequisites: None" in err.raw_text
