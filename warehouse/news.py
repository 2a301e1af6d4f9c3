"""News in the warehouse: articles, the course mentions found in them, and two views.

* ``news_articles``: one row per article of a news source (replaced when its source loads).
* ``course_mentions``: every mention of a current course in an article, found again on each
  load (``write_news``) from the articles and the courses as they are after the load, so a
  course added to the catalogue later is found in older articles too.
* views ``course_news`` (per course: first and latest mention, counts) and
  ``length_disagreements`` (a length stated in an article that none of the course's
  variants has).

Every table, view and column carries a COMMENT.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from normalise.duration import Conventions
from normalise.mentions import MentionFinder
from schema.news import Article, KnownCourse

# (name, comment, [(column, type, comment)])
NEWS_TABLES: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    ("news_articles", "News articles read from the news sources (e.g. aupe-news): one row per article page, "
                      "replaced each time its source loads. Courses named in them are in course_mentions.", [
        ("article_url", "VARCHAR", "URL of the article page."),
        ("source", "VARCHAR", "Source the article was read from, e.g. aupe-news."),
        ("provider", "VARCHAR", "Union publishing the article; its mentions are looked for among this union's courses."),
        ("title", "VARCHAR", "Article title."),
        ("author", "VARCHAR", "Author from the byline ('By Rae Carlson, Communications Staff' gives 'Rae Carlson'); null where there is none."),
        ("published", "DATE", "Publication date shown on the article."),
        ("body", "VARCHAR", "Body text, paragraphs separated by a blank line; page chrome removed."),
        ("hours_per_day", "DOUBLE", "Contact hours in a day, by the source's convention: converts a length stated in the text ('two-day') to hours."),
        ("days_per_week", "DOUBLE", "Days in a week, by the source's convention."),
    ]),
    ("course_mentions", "Every mention of a current course in a news article: the sentence it occurs in and any length "
                        "stated for it there. Found again on every load (normalise/mentions.py): whole words, folded "
                        "case and punctuation, one letter of fuzz, never inside a longer title.", [
        ("course_id", "VARCHAR", "The course mentioned (courses.course_id)."),
        ("article_url", "VARCHAR", "The article (news_articles.article_url)."),
        ("article_title", "VARCHAR", "Title of the article."),
        ("published", "DATE", "Publication date of the article."),
        ("sentence", "VARCHAR", "The sentence naming the course; with the next sentence where that one states the course's length ('... This two-day course ...')."),
        ("stated_length", "VARCHAR", "The length the article states for the course, normalised ('2 days'); null where it states none."),
        ("stated_length_text", "VARCHAR", "The length as the article writes it ('two-day')."),
        ("stated_hours", "DOUBLE", "The stated length in contact hours (low end of a range), by the source's conventions."),
        ("stated_hours_max", "DOUBLE", "High end of the stated length in contact hours."),
        ("matched_text", "VARCHAR", "The words of the article that matched the course title."),
        ("match", "VARCHAR", "exact (as the title is written), folded (case, accents, punctuation or '&' differ) or fuzzy (one word one letter off)."),
        ("paragraph", "INTEGER", "0-based paragraph of the article body the mention is in."),
    ]),
]

NEWS_VIEWS: list[tuple[str, str, dict[str, str], str]] = [
    ("course_news", "Which courses the unions' news named, and when: one row per course mentioned, with its first and latest mention.", {
        "course_id": "The course (courses.course_id).",
        "provider": "Union offering the course.",
        "title": "Course title.",
        "first_mention": "Publication date of the first article that names the course.",
        "latest_mention": "Publication date of the latest article that names it.",
        "mentions": "Number of mentions (sentences naming the course) over all articles.",
        "articles": "Number of articles naming the course.",
        "stated_lengths": "Lengths the articles state for the course, normalised, e.g. ['2 days'].",
        "article_titles": "Titles of the articles naming the course, oldest first.",
    }, """SELECT m.course_id, c.provider, c.title, min(m.published) AS first_mention,
               max(m.published) AS latest_mention, count(*) AS mentions,
               count(DISTINCT m.article_url) AS articles,
               coalesce(list(DISTINCT m.stated_length ORDER BY m.stated_length)
                        FILTER (WHERE m.stated_length IS NOT NULL), []) AS stated_lengths,
               list(DISTINCT m.article_title ORDER BY m.article_title) AS article_titles
        FROM course_mentions m JOIN courses c USING (course_id)
        GROUP BY ALL ORDER BY first_mention, c.provider, c.title"""),
    ("length_disagreements", "Lengths stated in the news that none of the course's current variants has "
                             "(e.g. an article says 'two-day', the catalogue lists the course at 1 day), for an analyst to check. "
                             "Courses whose catalogue gives no length are not listed.", {
        "course_id": "The course (courses.course_id).",
        "provider": "Union offering the course.",
        "title": "Course title.",
        "catalogue_lengths": "The lengths the catalogue lists the course in, as written.",
        "stated_length": "The length the article states, normalised.",
        "stated_length_text": "The length as the article writes it.",
        "stated_hours": "The stated length in contact hours.",
        "article_url": "The article.",
        "article_title": "Title of the article.",
        "published": "Publication date of the article.",
        "sentence": "The sentence stating the length.",
    }, """SELECT m.course_id, c.provider, c.title, c.lengths AS catalogue_lengths, m.stated_length,
               m.stated_length_text, m.stated_hours, m.article_url, m.article_title, m.published, m.sentence
        FROM course_mentions m JOIN courses c USING (course_id)
        WHERE m.stated_hours IS NOT NULL
          AND EXISTS (SELECT 1 FROM course_variants v WHERE v.course_id = m.course_id AND v.duration_hours IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM course_variants v WHERE v.course_id = m.course_id
                          AND m.stated_hours <= coalesce(v.duration_hours_max, v.duration_hours)
                          AND m.stated_hours_max >= v.duration_hours)
        ORDER BY m.published, c.title"""),
]


def ensure_news_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the news tables if missing, (re)create the views, (re)write every comment. Idempotent."""
    from warehouse.ddl import create_table, create_view

    for table, comment, cols in NEWS_TABLES:
        create_table(con, table, comment, cols)
    for view, comment, cols, sql in NEWS_VIEWS:
        create_view(con, view, comment, cols, sql)


def _columns(table: str) -> list[str]:
    return next([c[0] for c in cols] for name, _, cols in NEWS_TABLES if name == table)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    cols = _columns(table)
    con.register("incoming_news", pa.table({c: [r.get(c) for r in rows] for c in cols}))
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM incoming_news")
    finally:
        con.unregister("incoming_news")


def article_rows(source: str, provider: str, conventions: Conventions, articles: list[Article]) -> list[dict]:
    return [{"article_url": a.url, "source": source, "provider": provider, "title": a.title, "author": a.author,
             "published": a.published, "body": a.body, "hours_per_day": conventions.hours_per_day,
             "days_per_week": conventions.days_per_week} for a in articles]


def replace_articles(con: duckdb.DuckDBPyConnection, source: str, rows: list[dict]) -> None:
    """A news source's articles, as its latest load read them."""
    con.execute("DELETE FROM news_articles WHERE source = ?", [source])
    _insert(con, "news_articles", rows)


def refresh_mentions(con: duckdb.DuckDBPyConnection) -> int:
    """Find every article's mentions of the current courses of its union again; returns how many."""
    con.execute("DELETE FROM course_mentions")
    articles = con.execute("SELECT article_url, provider, title, author, published, body, hours_per_day, "
                           "days_per_week FROM news_articles ORDER BY published, article_url").fetchall()
    finders: dict[str, MentionFinder] = {}
    rows = []
    for url, provider, title, author, published, body, hpd, dpw in articles:
        if provider not in finders:
            known = con.execute("SELECT course_id, title FROM courses WHERE provider = ? AND status = 'active' "
                                "AND title IS NOT NULL ORDER BY course_id", [provider]).fetchall()
            finders[provider] = MentionFinder([KnownCourse(cid, t) for cid, t in known])
        conv = Conventions(hpd, dpw)
        article = Article(url=url, title=title, published=published, author=author,
                          paragraphs=body.split("\n\n") if body else [])
        for m in finders[provider].find(article):
            hours = conv.hours(m.stated_value, m.stated_unit) if m.stated_unit else None
            hours_max = conv.hours(m.stated_value_max, m.stated_unit) if m.stated_unit else None
            rows.append({"course_id": m.course_id, "article_url": url, "article_title": title,
                         "published": published, "sentence": m.sentence, "stated_length": m.stated_length,
                         "stated_length_text": m.stated_length_text, "stated_hours": hours,
                         "stated_hours_max": hours_max, "matched_text": m.matched_text, "match": m.match,
                         "paragraph": m.paragraph})
    _insert(con, "course_mentions", rows)
    return len(rows)


def write_news(con: duckdb.DuckDBPyConnection, loaded: list) -> None:
    """In the load's transaction, after the courses: the loaded news sources' articles, then
    every mention found again (the courses may have changed even where the news did not)."""
    for load in loaded:
        if load.articles is not None:
            replace_articles(con, load.source, load.articles)
    refresh_mentions(con)
