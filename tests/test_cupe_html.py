"""The reconstructed HTML of the CUPE catalogue parses to the same listings as the seed text."""
from tests.conftest import CUPE_URL
from tests.helpers import listings_of

FIELDS_FROM_TEXT = ("position", "series", "duration_text", "duration_hours", "description", "bullets",
                    "audience", "notes", "prerequisites")


def test_html_matches_text(seed_text, cupe_html):
    text, _ = listings_of(seed_text, "cupe-workshops", CUPE_URL)
    html, result = listings_of(cupe_html, "cupe-workshops", CUPE_URL)
    assert result.errors == []
    assert len(html) == len(text) == 84
    for a, b in zip(text, html):
        for f in FIELDS_FROM_TEXT:
            assert getattr(a, f) == getattr(b, f), (a.position, f)


def test_titles_added_where_the_html_has_them(cupe_html):
    html, _ = listings_of(cupe_html, "cupe-workshops", CUPE_URL)
    titled = [l for l in html if l.title_as_written]
    # the three titles samples/README.md lists, in page order, each linked to its workshop page
    assert [(l.title_as_written, l.link) for l in titled] == [
        ("Introduction to Stewarding", "https://cupe.ca/mrm-union-education/workshop/12"),
        ("LET - Financial Essentials", "https://cupe.ca/mrm-union-education/workshop/38"),
        ("LET - Financial Officers", "https://cupe.ca/mrm-union-education/workshop/39")]
    fe = titled[1]
    assert fe.title_as_written == "LET - Financial Essentials"
    assert fe.title == "Financial Essentials"
    assert fe.series == "Local Executive Training"
    assert fe.link == "https://cupe.ca/mrm-union-education/workshop/38"
    assert fe.description.startswith("This workshop is for all members in an elected position")


def test_page_chrome_is_not_a_course(cupe_html):
    html, _ = listings_of(cupe_html, "cupe-workshops", CUPE_URL)
    joined = " ".join(l.description + " ".join(l.bullets) for l in html)
    for chrome in ("Skip to main content", "Our social site pages", "About us", "© Canadian Union"):
        assert chrome not in joined


def test_css_class_names_do_not_matter(cupe_html):
    renamed = cupe_html.replace("views-row", "card").replace("field-duration", "len").replace(
        "field-program", "prog").replace("field-body", "txt")
    assert renamed != cupe_html
    a, _ = listings_of(cupe_html, "cupe-workshops", CUPE_URL)
    b, _ = listings_of(renamed, "cupe-workshops", CUPE_URL)
    assert [x.model_dump() for x in a] == [x.model_dump() for x in b]


def test_markup_in_text_stays_text():
    page = ("<html><body><main><div><div>3 hours</div><div><p>Learn &lt;script&gt;alert(1)&lt;/script&gt; "
            "safely.</p><p><script>alert(2)</script>Second <b>bold</b> paragraph.</p></div></div></main></body></html>")
    (l,), _ = listings_of(page, "cupe-workshops", CUPE_URL)
    assert l.description == "Learn <script>alert(1)</script> safely.\n\nSecond bold paragraph."
    assert "alert(2)" not in l.description
