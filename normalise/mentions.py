"""Find the known courses an article names, with the sentence and any length it states.

Matching, precision first:

* word by word: a title matches a run of whole words of the text (word boundaries by
  construction), compared folded: case, accents, apostrophes ("Workers'" = "Worker's"),
  "&" = "and", hyphens as spaces;
* light fuzzy: in a title of two or more words, one word of five letters or more may be one
  edit off (a letter added, dropped or changed, or two letters swapped: "Picket Captian
  Training"); "Picket Capt Training" is no match;
* written as a title: a word the title capitalises is capitalised in the text, so the prose
  "contract interpretation" is no mention of "Contract Interpretation";
* no match inside a longer title: where titles overlap the longest wins, and a match run
  straight on into more capitalised words ("Workplace Power Advanced") is taken for some
  other, longer title and dropped.

A length is the mention's when its sentence names that one course and states one length
("This two-day course ..."), or when the sentence names it and states none and the next
sentence opens with "This"/"The"/"It" and states one (then both sentences are kept).
Lengths are read by the project's one grammar (``normalise.duration``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from normalise.duration import Duration, find_durations
from schema.news import Article, KnownCourse, Mention

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|&")
_SENTENCE_END = re.compile(r"[.!?]+[”\"’)\]]*\s+(?=[“\"‘(\[]?[A-Z0-9])")
_ANAPHORA = re.compile(r"^[“\"‘]?(this|the|that|it|these)\b", re.I)
_FUZZY_MIN = 5


@dataclass(frozen=True, slots=True)
class _Word:
    folded: str
    text: str
    start: int
    end: int


def _fold(word: str) -> str:
    if word == "&":
        return "and"
    w = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in w if ch.isalnum())


def _words(text: str) -> list[_Word]:
    return [_Word(_fold(m[0]), m[0], m.start(), m.end()) for m in _WORD.finditer(text)]


def folded_words(text: str) -> set[str]:
    """The words of a text as MentionFinder compares them (folded). A known title is found in a
    text only where at least one of its words stands as it is, so a title none of whose folded
    words is among a text's is never found in it."""
    return {_fold(m[0]) for m in _WORD.finditer(text)}


@dataclass(frozen=True, slots=True)
class _Title:
    course: KnownCourse
    words: tuple[_Word, ...]


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


def _word_match(title: _Word, text: _Word) -> str | None:
    """'same' or 'fuzzy' or None."""
    if _capitalised(title.text) and not _capitalised(text.text) and title.folded.isalpha():
        return None
    if title.folded == text.folded:
        return "same"
    if len(title.folded) >= _FUZZY_MIN and len(text.folded) >= _FUZZY_MIN - 1 \
            and OSA.distance(title.folded, text.folded, score_cutoff=1) <= 1:
        return "fuzzy"
    return None


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(paragraph):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(paragraph):
        spans.append((start, len(paragraph)))
    return spans


def _length_of(text: str) -> Duration | None:
    found = find_durations(text)
    if len({(d.value, d.value_max, d.unit) for _, _, d in found}) != 1:
        return None  # none, or several different lengths: not one stated length
    return found[0][2]


def length_words(d: Duration) -> str:
    """A length in plain words: "2 days", "1 week", "2-3 hours"."""
    def num(x: float) -> str:
        return f"{x:g}"
    value = num(d.value) if d.value == d.value_max else f"{num(d.value)}-{num(d.value_max)}"
    plural = "" if d.value_max == 1 else "s"
    return f"{value} {d.unit}{plural}"


class MentionFinder:
    """Finds mentions of a fixed set of known courses; build it once, use it on many articles."""

    def __init__(self, courses: list[KnownCourse]) -> None:
        self._titles: list[_Title] = []
        seen: set[str] = set()
        for c in courses:
            # Of several courses with the same title, a match names the first: the others would
            # match at the same place and be dropped as overlapping it (a large catalogue repeats
            # its titles, and each copy was tried again).
            if c.title in seen:
                continue
            seen.add(c.title)
            words = tuple(_words(c.title))
            if words:
                self._titles.append(_Title(c, words))
        # Longest titles first: overlapping matches keep the longer title.
        self._titles.sort(key=lambda t: -len(t.words))
        # Where a title can start in a text, from the words that must stand there as they are
        # (folded): at most one word may be fuzzy, and a one-word title may not. So a one-word
        # title is in the text as it is; of a two-word title one word is, and the other is within
        # one edit of the text's next (or previous) word; of a longer title's three longest
        # words, two are, at their distance apart. A one-word title is indexed under its word, a
        # two-word one under each word and its place, with the other word beside it, a longer one
        # under each pair of its three longest words and their distance: a text's candidates are
        # the titles whose words it holds where they would stand, not every title sharing a
        # common word with it (linking the prerequisites of a large catalogue of like titles was
        # quadratic), and each is tried only where it can start.
        self._one: dict[str, list[int]] = {}  # word -> one-word titles
        # (word, its place) -> the other word of the two-word titles with that word there -> titles;
        # and those other words long enough to be fuzzy (_FUZZY_MIN), for the one-edit search.
        self._two: dict[tuple[str, int], tuple[dict[str, list[int]], list[str]]] = {}
        self._pairs: dict[tuple[str, str, int], list[tuple[int, int]]] = {}  # (word, word, distance) -> (title, place)
        self._span = 0  # the longest distance a pair spans
        for k, t in enumerate(self._titles):
            if len(t.words) == 1:
                self._one.setdefault(t.words[0].folded, []).append(k)
                continue
            if len(t.words) == 2:
                for p in (0, 1):
                    other = t.words[1 - p].folded
                    by_other, fuzzy = self._two.setdefault((t.words[p].folded, p), ({}, []))
                    if other not in by_other:
                        by_other[other] = []
                        if len(other) >= _FUZZY_MIN:
                            fuzzy.append(other)
                    by_other[other].append(k)
                continue
            longest = sorted(range(len(t.words)), key=lambda p: -len(t.words[p].folded))
            three = sorted(longest[:3])
            for a, b in ((three[0], three[1]), (three[0], three[2]), (three[1], three[2])):
                key = (t.words[a].folded, t.words[b].folded, b - a)
                self._pairs.setdefault(key, []).append((k, a))
                self._span = max(self._span, b - a)

    def _starts(self, words: list[_Word]) -> dict[int, set[int]]:
        """Each candidate title (by its place in self._titles) and where in `words` it may start."""
        starts: dict[int, set[int]] = {}
        one, two, pairs = self._one, self._two, self._pairs
        last = len(words) - 1
        for q, w in enumerate(words):
            for k in one.get(w.folded, ()):
                starts.setdefault(k, set()).add(q)
            for p, r in ((0, q + 1), (1, q - 1)):  # w as the title's first word, then as its second
                if 0 <= r <= last and (w.folded, p) in two:
                    by_other, fuzzy = two[(w.folded, p)]
                    other = words[r].folded
                    found = [other] if other in by_other else []
                    if fuzzy and len(other) >= _FUZZY_MIN - 1:
                        found += [o for o, d, _ in process.extract(other, fuzzy, scorer=OSA.distance, score_cutoff=1,
                                                                   limit=None) if d == 1]
                    for o in found:
                        for k in by_other[o]:
                            starts.setdefault(k, set()).add(q - p)
            if pairs:
                for r in range(q + 1, min(q + self._span, last) + 1):
                    for k, p in pairs.get((w.folded, words[r].folded, r - q), ()):
                        starts.setdefault(k, set()).add(q - p)
        return starts

    def _matches(self, words: list[_Word], text: str) -> list[tuple[int, int, _Title, str]]:
        found = []
        for k, at in sorted(self._starts(words).items()):
            t = self._titles[k]
            n = len(t.words)
            last = len(words) - n
            starts = sorted(i for i in at if 0 <= i <= last)
            for i in starts:
                fuzzy = 0
                for tw, w in zip(t.words, words[i:i + n]):
                    r = _word_match(tw, w)
                    if r is None:
                        break
                    fuzzy += r == "fuzzy"
                    if fuzzy > 1 or (fuzzy and n < 2):
                        break
                else:
                    if self._runs_on(words, i, i + n, text):
                        continue
                    matched = text[words[i].start:words[i + n - 1].end]
                    kind = ("exact" if " ".join(matched.split()) == " ".join(t.course.title.split())
                            else "fuzzy" if fuzzy else "folded")
                    found.append((i, i + n, t, kind))
        kept: list[tuple[int, int, _Title, str]] = []
        for m in sorted(found, key=lambda m: (-(m[1] - m[0]), m[0])):
            if all(m[1] <= k[0] or m[0] >= k[1] for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m[0])

    @staticmethod
    def _runs_on(words: list[_Word], i: int, j: int, text: str) -> bool:
        """Does the match run straight into more capitalised words (part of a longer title)?"""
        if j < len(words) and not text[words[j - 1].end:words[j].start].strip() \
                and _capitalised(words[j].text) and not words[j].text.isupper():
            return True
        if i > 0 and not text[words[i - 1].end:words[i].start].strip():
            prev = words[i - 1].text
            sentence_start = i - 1 == 0 or bool(re.search(r"[.!?:;\"“]\s*$", text[:words[i - 1].start]))
            possessive = prev.endswith(("'s", "’s"))
            if _capitalised(prev) and not prev.isupper() and not sentence_start and not possessive:
                return True
        return False

    def spans(self, text: str) -> list[tuple[int, int, KnownCourse, str]]:
        """Every known title in a short text: (start, end, course, match kind), in order."""
        words = _words(text)
        return [(words[i].start, words[j - 1].end, t.course, kind) for i, j, t, kind in self._matches(words, text)]

    def find(self, article: Article) -> list[Mention]:
        """Every mention of a known course in the article's body, in reading order."""
        out: list[Mention] = []
        for p, paragraph in enumerate(article.paragraphs):
            spans = sentence_spans(paragraph)
            per_sentence: list[list[tuple[int, int, _Title, str, list[_Word]]]] = []
            for start, end in spans:
                sentence = paragraph[start:end]
                words = _words(sentence)
                per_sentence.append([(*m, words) for m in self._matches(words, sentence)])
            for s, matches in enumerate(per_sentence):
                start, end = spans[s]
                sentence = paragraph[start:end].strip()
                courses = {m[2].course.course_id for m in matches}
                for i, j, t, kind, words in matches:
                    text = paragraph[start:end]
                    length, passage = None, sentence
                    if len(courses) == 1:
                        length = _length_of(sentence)
                        if length is None and not find_durations(sentence) and s + 1 < len(spans):
                            nxt = paragraph[spans[s + 1][0]:spans[s + 1][1]].strip()
                            if _ANAPHORA.match(nxt) and not per_sentence[s + 1]:
                                length = _length_of(nxt)
                                if length is not None:
                                    passage = f"{sentence} {nxt}"
                    out.append(Mention(
                        course_id=t.course.course_id, course_title=t.course.title,
                        matched_text=text[words[i].start:words[j - 1].end], match=kind,
                        sentence=passage, paragraph=p,
                        stated_length=length_words(length) if length else None,
                        stated_length_text=length.text if length else None,
                        stated_value=length.value if length else None,
                        stated_value_max=length.value_max if length else None,
                        stated_unit=length.unit if length else None))
        return out


def find_mentions(article: Article, courses: list[KnownCourse]) -> list[Mention]:
    """Every mention of one of `courses` in the article (see the module's rules)."""
    return MentionFinder(courses).find(article)
