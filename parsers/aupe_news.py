"""AUPE news articles (e.g. https://www.aupe.org/news/direct-impact/power-education).

Read by structure, the same from the live HTML and from a text capture: the article's
date line ("Jan 29, 2024") anchors it; the byline ("By Rae Carlson, Communications Staff")
sits next to the date, before or after it; the title is the line just above them; the
body is every line after them up to the page's "Related articles" (or the end). Site
chrome seen in captures ("Sign in", a banner above the title, "Text only block" labels)
lies outside that or is dropped by name.

This module exposes ``KIND = "articles"``: ``parse`` returns an ``ArticleResult`` (one
article per page), not course listings. Finding courses in the text is not its job
(``normalise.mentions``).
"""
from __future__ import annotations

import re
from datetime import date

from parsers.errors import ParseError
from parsers.lines import BLANK, page_lines
from schema.news import Article, ArticleResult

KIND = "articles"

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE_RES = [
    re.compile(rf"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})$", re.I),
    re.compile(rf"^(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}})$", re.I),
    re.compile(r"^(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})$"),
]
_BYLINE = re.compile(r"^by\s+(?P<name>[^,|]+?)\s*(?:[,|]\s*(?P<role>.*))?$", re.I)
_CHROME = {"text only block", "sign in", "share", "share this", "print"}
_END = re.compile(r"^(related (articles|news|stories|posts)|more news|latest news)$", re.I)
_LOOKAROUND = 3  # how many lines around the date the byline and the title may be


def parse_date(text: str) -> date | None:
    """A line that is nothing but a date: "Jan 29, 2024", "January 29, 2024", "29 Jan 2024", "2024-01-29"."""
    text = " ".join(text.split())
    for pattern in _DATE_RES:
        m = pattern.match(text)
        if not m:
            continue
        month = int(m["mnum"]) if "mnum" in m.groupdict() and m["mnum"] else _MONTHS[m["month"][:3].lower()]
        try:
            return date(int(m["year"]), month, int(m["day"]))
        except ValueError:
            return None
    return None


_BYLINE_DATE = re.compile(r"^(?P<by>by\s.+?)\s*[|·•–—,-]?\s*(?P<date>\S+\s+\S+,?\s+\d{4})$", re.I)


def _byline_and_date(text: str) -> tuple[str, date] | None:
    """A byline and the date on one line: "By Rae Carlson, Communications Staff | Jan 29, 2024"."""
    m = _BYLINE_DATE.match(text)
    if not m:
        return None
    when, who = parse_date(m["date"]), _byline(m["by"].rstrip(" |·•–—,-"))
    return (who, when) if when and who else None


def _byline(text: str) -> str | None:
    m = _BYLINE.match(text)
    if not m or len(text) > 120:
        return None
    name = m["name"].strip()
    # A name is a few capitalised words; "By the numbers" is no byline.
    words = name.split()
    if not (1 <= len(words) <= 5) or not all(w[:1].isupper() for w in words):
        return None
    return name


def parse(content: str, url: str) -> ArticleResult:
    """The article on one page; ParseError when the page has no dated article."""
    lines, _ = page_lines(content, url)
    texts = [l.text for l in lines if l.kind != BLANK and l.text]
    at = next((k for k, t in enumerate(texts) if parse_date(t) or _byline_and_date(t)), None)
    if at is None:
        raise ParseError(url, "no article date found (expected a line such as 'Jan 29, 2024' "
                              "between the article's title and its body)")
    published = parse_date(texts[at])
    author, first_body, top = None, at + 1, at
    if published is None:
        author, published = _byline_and_date(texts[at])
    for k in range(at + 1, min(at + 1 + _LOOKAROUND, len(texts))):  # byline after the date
        if _byline(texts[k]):
            author, first_body = _byline(texts[k]), k + 1
            break
    if author is None:
        for k in range(at - 1, max(at - 1 - _LOOKAROUND, -1), -1):  # byline before the date
            if _byline(texts[k]):
                author, top = _byline(texts[k]), k
                break
    title = next((texts[k] for k in range(top - 1, -1, -1)
                  if texts[k].lower() not in _CHROME and not parse_date(texts[k])), None)
    if not title:
        raise ParseError(url, f"the article dated {texts[at]!r} has no title line above its date")
    paragraphs = []
    for text in texts[first_body:]:
        if _END.match(text):
            break
        if text.lower() in _CHROME:
            continue
        paragraphs.append(text)
    if not paragraphs:
        raise ParseError(url, f"the article {title!r} has no body after its date line")
    return ArticleResult([Article(url=url, title=title, published=published, author=author,
                                  paragraphs=paragraphs)])


def parse_article(content: str, url: str) -> Article:
    """The one article of a page."""
    return parse(content, url).articles[0]
