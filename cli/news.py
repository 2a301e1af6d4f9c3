"""`courses parse PAGE --source aupe-news`: the article of a saved news page and the courses it names.

Known courses come from the warehouse (``--db``) when it holds any of the source's union;
otherwise from the catalogue pages shipped in ``samples/archive`` (said on stderr), so a
saved article can be read before any refresh.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from normalise.mentions import MentionFinder
from schema.news import Article, KnownCourse
from sources import Source, load_sources

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "archive"


def known_from_warehouse(db: Path, provider: str) -> list[KnownCourse]:
    if not db.exists():
        return []
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return []
    try:
        rows = con.execute("SELECT course_id, title FROM courses WHERE provider = ? AND status = 'active' "
                           "AND title IS NOT NULL ORDER BY course_id", [provider]).fetchall()
    except duckdb.Error:
        return []
    finally:
        con.close()
    return [KnownCourse(cid, title) for cid, title in rows]


def known_from_samples(provider: str, sources_file: Path | None) -> list[KnownCourse]:
    """The courses of the provider's catalogue sources, replayed from samples/archive."""
    from fetch.archive import ArchiveError, read_archive
    from flows.news import is_news
    from grouping import group_listings
    from normalise.listing import normalise
    from parsers import ParseError, get_parser

    known: list[KnownCourse] = []
    for src in load_sources(sources_file):
        if src.provider != provider or is_news(src):
            continue
        parser = get_parser(src.parser)
        if getattr(parser, "KIND", "courses") in ("sessions", "articles"):  # these name no catalogue course
            continue
        try:
            pages = read_archive(SAMPLES, src.name, src.start_urls[0])
            raws = [l for p in pages for l in parser.parse(p.text, p.url).listings]
        except (ArchiveError, ParseError):
            continue
        listings = normalise(raws, provider=src.provider, source=src.name, conventions=src.conventions,
                             prefixes=getattr(parser, "PROGRAMME_PREFIXES", {}))
        known += [KnownCourse(c.course_id, c.title) for c in group_listings(listings).courses if c.title]
    return known


def print_article(article: Article, src: Source, db: Path, sources_file: Path | None) -> None:
    """One JSON line for the article, then one per mention (with the course it names)."""
    known = known_from_warehouse(db, src.provider)
    where = f"the warehouse {db}"
    if not known:
        known = known_from_samples(src.provider, sources_file)
        where = f"the sample catalogue in {SAMPLES} (no {src.provider} courses in {db})"
    typer.echo(f"note: looking for {len(known)} known {src.provider} course titles from {where}", err=True)
    out = sys.stdout
    out.write(json.dumps({"kind": "article", "url": article.url, "title": article.title,
                          "author": article.author, "published": article.published.isoformat(),
                          "paragraphs": article.paragraphs}, ensure_ascii=False) + "\n")
    for m in MentionFinder(known).find(article):
        out.write(json.dumps({"kind": "mention", "course_id": m.course_id, "course_title": m.course_title,
                              "matched_text": m.matched_text, "match": m.match,
                              "stated_length": m.stated_length, "stated_length_text": m.stated_length_text,
                              "paragraph": m.paragraph, "sentence": m.sentence}, ensure_ascii=False) + "\n")
