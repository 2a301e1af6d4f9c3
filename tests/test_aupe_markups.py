"""A small AUPE course page, written by hand from the facts in shared/SITES.md, in drawn
markups: the same listings, field for field, in every one. Expected values are written
out by hand below.

The page holds what SITES.md records of aupe.org: a heading with the length and the
availability ("... (2 days) - Currently not available"); the older page's heading
"Introduction to Your Union (1 day)" with "Registration:", "Course Time: 9:00 – 4:30",
"Requirements:" and "Description:"; the labour-school page's "Prerequisite:", an unlabelled
paragraph, "Course Description:", "Learning Outcomes:" + list, "This course is for members
who want to:" + list, "This courses utilizes:" (sic) + list and "Comments from previous
students:"; and a course with no labels at all. The markups are what Drupal (aupe.org runs
Drupal) and its body editor emit: a section or article per course or one flat body; titles
as h2-h4 or a bold paragraph; labels bold at the start of a paragraph, alone in a bold
paragraph or a heading (colon or none), or plain text; lists as <ul> or "•" paragraphs.
"""
from __future__ import annotations

import html
import random

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.conftest import AUPE_URL
from tests.helpers import listings_of

# (title, [(label or None, text or [items])])
COURSES = [
    ("Labour History: An Introduction to Workers' History (2 days) - Currently not available", [
        ("Description", "A look at the history of working people in Alberta and Canada."),
        ("This course is for", "All AUPE members."),
        ("Prerequisites", "None"),
        ("This course utilizes", ["Group discussion", "Videos"]),
        ("Learning outcomes", ["Describe how workers won the weekend", "Connect past struggles to today"]),
    ]),
    ("Introduction to Your Union (1 day)", [
        ("Registration", "Through your local"),
        ("Course Time", "9:00 – 4:30"),
        ("Requirements", "None"),
        ("Description", "An introduction to AUPE: how the union is structured and how members take part."),
    ]),
    ("Workplace Power (2 days)", [
        ("Course Description", "Workplace Power is all about you and your colleagues."),
        (None, "All the skills you learn in this course are also useful when organizing to support your "
               "negotiating team at the bargaining table."),
        ("Note", "Bring a copy of your collective agreement."),
    ]),
    ("Advanced Occupational Health and Safety", [
        ("Prerequisite", "OH&S for Union Activists"),
        (None, "This course builds on the first health and safety course."),
        ("Course Description", "Learn to lead health and safety campaigns in your workplace."),
        ("Learning Outcomes", ["Plan a workplace inspection", "Use the OH&S Act"]),
        ("This course is for members who want to", ["lead safety campaigns", "join a joint committee"]),
        ("This courses utilizes", ["Case studies"]),
        ("Comments from previous students", "The best course I have taken."),
    ]),
    ("Picket Captain Training (1 day)", [
        (None, "Picket Captain Training is more directly tied to bargaining."),
        (None, "Any successful picket line needs good picket captains."),
    ]),
]

EXPECTED = [
    dict(title="Labour History: An Introduction to Workers' History", duration_text="2 days", duration_hours=14.0,
         availability="Currently not available",
         description="A look at the history of working people in Alberta and Canada.",
         audience="All AUPE members.", prerequisites="None", methods=["Group discussion", "Videos"],
         learning_outcomes=["Describe how workers won the weekend", "Connect past struggles to today"],
         notes=[], schedule_notes=[], bullets=[]),
    dict(title="Introduction to Your Union", duration_text="1 day", duration_hours=7.0, availability=None,
         description="An introduction to AUPE: how the union is structured and how members take part.",
         audience=None, prerequisites="None", methods=[], learning_outcomes=[], notes=[],
         schedule_notes=["Registration: Through your local", "Course Time: 9:00 – 4:30"], bullets=[]),
    dict(title="Workplace Power", duration_text="2 days", duration_hours=14.0, availability=None,
         description="Workplace Power is all about you and your colleagues.\n\nAll the skills you learn in this "
                     "course are also useful when organizing to support your negotiating team at the bargaining table.",
         audience=None, prerequisites=None, methods=[], learning_outcomes=[],
         notes=["Bring a copy of your collective agreement."], schedule_notes=[], bullets=[]),
    dict(title="Advanced Occupational Health and Safety", duration_text=None, duration_hours=None, availability=None,
         description="This course builds on the first health and safety course.\n\n"
                     "Learn to lead health and safety campaigns in your workplace.",
         audience="members who want to: lead safety campaigns; join a joint committee",
         prerequisites="OH&S for Union Activists", methods=["Case studies"],
         learning_outcomes=["Plan a workplace inspection", "Use the OH&S Act"],
         notes=["Comments from previous students: The best course I have taken."], schedule_notes=[], bullets=[]),
    dict(title="Picket Captain Training", duration_text="1 day", duration_hours=7.0, availability=None,
         description="Picket Captain Training is more directly tied to bargaining.\n\n"
                     "Any successful picket line needs good picket captains.",
         audience=None, prerequisites=None, methods=[], learning_outcomes=[], notes=[], schedule_notes=[],
         bullets=[]),
]


def render(style: dict, rng: random.Random) -> str:
    e = lambda t: html.escape(t, quote=False)  # noqa: E731
    ws = style["ws"]
    parts = ['<header class="site-header"><nav><ul><li><a href="/training">Training</a></li></ul></nav>'
             '<a href="/user/login">Sign in</a></header>' if style["chrome"] else "",
             "<main>" if style["main"] else "", "<h1>Course descriptions</h1>",
             "<p>AUPE’s education courses are free for members. The courses offered this term are described below.</p>"]
    title_tag = style["title"]
    for title, body in COURSES:
        out = [f"<{title_tag}>{e(title)}</{title_tag}>" if title_tag != "strong" else f"<p><strong>{e(title)}</strong></p>"]
        for label, value in body:
            how = rng.choice(style["labels"])
            name = label.upper() if (label and style["upper"]) else label
            items = value if isinstance(value, list) else None
            text = "" if items else value
            if label is None:
                out.append(f"<p>{e(text)}</p>")
            elif how == "inline" or (how == "plain" and not items):
                lead = f"<strong>{e(name)}:</strong>" if how == "inline" else f"{e(name)}:"
                out.append(f"<p>{lead} {e(text)}</p>" if text else f"<p>{lead}</p>")
            elif how == "heading":
                out.append(f"<h5>{e(name)}:</h5>" + (f"<p>{e(text)}</p>" if text else ""))
            else:  # alone in a bold paragraph, no colon
                out.append(f"<p><strong>{e(name)}</strong></p>" + (f"<p>{e(text)}</p>" if text else ""))
            if items:
                if style["lists"] == "ul":
                    out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
                else:
                    out.extend(f"<p>• {e(i)}</p>" for i in items)
        inner = ws.join(out)
        wrapper = style["wrapper"]
        parts.append(f'<{wrapper} class="course">{ws}{inner}{ws}</{wrapper}>' if wrapper else inner)
    parts += ["</main>" if style["main"] else "",
              "<footer><h2>Related articles</h2><p>AUPE</p></footer>" if style["chrome"] else ""]
    return "<!DOCTYPE html><html><body>" + ws.join(parts) + "</body></html>"


def _check(style: dict, seed: int) -> None:
    page = render(style, random.Random(seed))
    listings, result = listings_of(page, "aupe-courses", AUPE_URL)
    assert result.errors == [], (style, result.errors[:1])
    assert result.blocks_seen == len(listings) == len(EXPECTED), (style, [l.title for l in listings])
    for l, want in zip(listings, EXPECTED):
        got = {f: getattr(l, f) for f in want}
        assert got == want, (style, {f: (got[f], want[f]) for f in want if got[f] != want[f]})


def test_sections_with_bold_labels():
    _check(dict(ws="\n", chrome=True, main=True, title="h2", labels=["inline"], upper=False, lists="ul",
                wrapper="section"), 0)


def test_flat_body_bold_titles_labels_alone_and_marker_lists():
    _check(dict(ws="", chrome=False, main=False, title="strong", labels=["alone", "heading"], upper=True,
                lists="marker", wrapper=""), 1)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(style=st.fixed_dictionaries(dict(
    ws=st.sampled_from(["", "\n", "\n  "]), chrome=st.booleans(), main=st.booleans(),
    title=st.sampled_from(["h2", "h3", "h4", "strong"]),
    labels=st.lists(st.sampled_from(["inline", "plain", "heading", "alone"]), min_size=1, max_size=4, unique=True),
    upper=st.booleans(), lists=st.sampled_from(["ul", "marker"]),
    wrapper=st.sampled_from(["section", "div", "article", ""]))), seed=st.integers(0, 1000))
def test_every_drawn_markup_reads_the_same_courses(style, seed):
    _check(style, seed)


def test_text_capture_of_the_labelled_courses():
    """The same courses as visible text (titles announced by a label), minus the unlabelled one."""
    lines = ["Course descriptions"]
    for title, body in COURSES[:4]:
        lines.append(title)
        for label, value in body:
            if isinstance(value, list):
                lines.append(f"{label}:")
                lines.extend(f"• {i}" for i in value)
            else:
                lines.append(f"{label}: {value}" if label else value)
    listings, result = listings_of("\n".join(lines) + "\n", "aupe-courses", AUPE_URL)
    assert result.errors == [] and result.blocks_seen == 4
    for l, want in zip(listings, EXPECTED[:4]):
        assert {f: getattr(l, f) for f in want} == want


def test_a_course_that_cannot_be_read_is_a_block_error_not_a_silent_drop():
    page = ("<main><h2>Workplace Power (2 days)</h2><p><strong>Description:</strong> Organize.</p>"
            "<h2>Mystery Course (1 day)</h2><p><strong>Prerequisites:</strong> None</p></main>")
    listings, result = listings_of(page, "aupe-courses", AUPE_URL)
    assert [l.title for l in listings] == ["Workplace Power"]
    (err,) = result.errors
    assert "Mystery Course" in err.reason and "Prerequisites: None" in err.raw_text
    assert result.blocks_seen == 2
