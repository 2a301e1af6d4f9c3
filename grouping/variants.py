"""Group listings into courses and length variants.

Rules (precision before recall: two different courses must never be merged):

1. Listings are only ever compared within one *block*: the same provider and
   the same programme (series). SITES.md: the "Championing ..." modules of three
   programmes are different courses for different audiences.
2. Same title (after normalise.split_title removed programme prefix, delivery
   marker, length suffix; then folded, and a length at the very end removed) -> same
   course when the texts allow it: listings with the same text join; different texts
   join only at different lengths (two different texts at one length are two courses,
   e.g. three "Championing Human Rights" modules), and, where the titles differ in a
   length they name ("Financial Essentials 1 Day" / "2 Day"), only if the texts are at
   least SIMILARITY_THRESHOLD similar. A title shared by several courses gives each an id
   from its title and its text.
3. Where a title is missing: the same description (folded: case, white space,
   punctuation and length mentions) -> same course, unless the titled listings
   with that description disagree on their title.
4. Where titles are missing on both sides (candidates share the opening or
   closing 40 characters of their folded text): a reworded description joins only if
   it is at least SIMILARITY_THRESHOLD similar (rapidfuzz ratio on the folded
   text), the lengths differ, and the join puts no two different texts at one
   length into a course. See docs/grouping.md for how the threshold was chosen.
5. Identical listings (same length, delivery and text) collapse into one variant
   that counts them.

Course ids hash the provider, the programme and the course's key (its title
key where any member has a title, else its description key), so they do not
depend on row order, run number, sibling variants or a length suffix.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from grouping.keys import description_keys, plain_title_key, stable_id, title_key
from schema.batch import ListingBatch, listing_columns, paused_gc
from schema.models import Listing

SIMILARITY_THRESHOLD = 90.0
_BLOCK_CHARS = 40  # candidates share the first or the last 40 characters of their folded text
_MAX_CANDIDATES = 50  # a candidate bucket larger than this is too generic to compare


@dataclass(slots=True)
class Variant:
    variant_id: str
    course_id: str
    duration_text: str | None
    duration_hours: float | None
    duration_hours_max: float | None
    delivery_mode: str | None
    join_reason: str
    join_score: float | None
    n_listings: int
    listing_indexes: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Course:
    course_id: str
    provider: str
    source: str
    title: str | None
    series: str | None
    description: str
    bullets: list[str]
    audience: str | None
    key_kind: str  # "title" | "description"
    lengths: list[str]
    min_hours: float | None
    max_hours: float | None
    n_variants: int
    n_listings: int


@dataclass(slots=True)
class Grouping:
    courses: list[Course]
    variants: list[Variant]
    course_of: list[str]   # course_id per listing, in listing order
    variant_of: list[str]  # variant_id per listing


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra
        return ra


# The fields grouping reads: it takes these columns and nothing else of a listing.
_FIELDS = ("provider", "source", "series", "title", "description", "bullets", "audience",
           "duration_text", "duration_hours", "duration_hours_max", "delivery_mode", "source_url")


# Columns that repeat a few values: one string object per value, not per listing.
_SHARED = ("provider", "source", "series", "duration_text", "delivery_mode", "source_url")


class _Columns:
    """The columns grouping reads, as Python lists (``cols.title[i]``): no object per row."""

    __slots__ = _FIELDS

    def __init__(self, values: list[list]) -> None:
        for name, column in zip(_FIELDS, values):
            setattr(self, name, column)


def group_listings(listings: list[Listing] | ListingBatch) -> Grouping:
    """Courses and variants of one source's listings (a ListingBatch, or Listing models).

    Works on the columns it needs (_FIELDS); the description keys are folded a column at once."""
    if not len(listings):
        return Grouping(courses=[], variants=[], course_of=[], variant_of=[])
    with paused_gc():
        if isinstance(listings, ListingBatch):  # the keys straight from the Arrow columns
            dkeys = description_keys(listings.table.column("description"), listings.table.column("bullets"))
        cols = _Columns(listing_columns(listings, _FIELDS, shared=_SHARED))
        if not isinstance(listings, ListingBatch):
            dkeys = description_keys(cols.description, cols.bullets)
        return _group(cols, dkeys)


def _group(cols: _Columns, dkeys: list[str]) -> Grouping:
    n = len(dkeys)
    lengths = list(zip(cols.duration_hours, cols.duration_hours_max))
    title_keys: dict[str | None, str | None] = {}
    tkeys = [title_keys[t] if t in title_keys else title_keys.setdefault(t, title_key(t)) for t in cols.title]
    blocks = [(p, s or "") for p, s in zip(cols.provider, cols.series)]
    uf = _UnionFind(n)

    # Rule 2: same title, where the texts allow it.
    by_title: dict[tuple, list[int]] = defaultdict(list)
    for i, (block, tkey) in enumerate(zip(blocks, tkeys)):
        if tkey:
            by_title[(block, tkey)].append(i)
    shared_title = [False] * n  # the listing's title names more than one course
    for members in by_title.values():
        if len(members) > 1 and _join_same_title(members, uf, cols, lengths, dkeys) > 1:
            for i in members:
                shared_title[i] = True

    # Rule 3: same description where a title is missing.
    by_text: dict[tuple, list[int]] = defaultdict(list)
    for i, (block, dkey) in enumerate(zip(blocks, dkeys)):
        if dkey:
            by_text[(block, dkey)].append(i)
    for members in by_text.values():
        if len(members) < 2:
            continue
        untitled = [i for i in members if not tkeys[i]]
        titles = {tkeys[i] for i in members if tkeys[i]}
        if not untitled:
            continue
        for j in untitled[1:]:
            uf.union(untitled[0], j)
        if len(titles) == 1:
            titled = next(i for i in members if tkeys[i])
            uf.union(untitled[0], titled)

    # Rule 4: reworded descriptions, untitled on both sides, blocked by opening and closing words.
    candidates: dict[tuple, list[int]] = defaultdict(list)
    for i, (block, tkey, dkey) in enumerate(zip(blocks, tkeys, dkeys)):
        if tkey or not dkey:
            continue
        candidates[(block, "head", dkey[:_BLOCK_CHARS])].append(i)
        candidates[(block, "tail", dkey[-_BLOCK_CHARS:])].append(i)
    fuzzy_pairs: list[tuple[float, int, int]] = []
    for members in candidates.values():
        if len(members) < 2 or len(members) > _MAX_CANDIDATES:
            continue
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1:]:
                if dkeys[a] == dkeys[b] or lengths[a] == lengths[b]:
                    continue
                score = fuzz.ratio(dkeys[a], dkeys[b])
                if score >= SIMILARITY_THRESHOLD:
                    fuzzy_pairs.append((score, a, b))
    if fuzzy_pairs:
        _join_similar(fuzzy_pairs, uf, lengths, dkeys)

    return _build(cols, uf, lengths, tkeys, dkeys, blocks, shared_title)


def _join_same_title(members: list[int], uf: _UnionFind, cols: _Columns, lengths: list[tuple], dkeys: list[str]) -> int:
    """Join the listings of one title into as few courses as their texts allow; returns how many.

    Listings with the same text are one course. Courses with different texts join only when
    none of their lengths meet (two texts at one length are two courses) and, where the titles
    as written differ (in a length they name), the texts are similar (rapidfuzz ratio at least
    SIMILARITY_THRESHOLD)."""
    by_text: dict[str, list[int]] = defaultdict(list)
    for i in members:
        by_text[dkeys[i]].append(i)
    # A listing that names the course without a text (a page that lists titles only) says
    # nothing against the title: it joins the one course of that title, if there is one.
    textless = by_text.pop("", [])
    groups = []  # (representative, lengths, texts, plain titles, pages)
    for text in sorted(by_text):  # in text order, so that the result does not depend on row order
        idx = by_text[text]
        for j in idx[1:]:
            uf.union(idx[0], j)
        glengths = {lengths[i] for i in idx}
        plain = {plain_title_key(cols.title[i]) for i in idx}
        pages = {cols.source_url[i] for i in idx}
        for g in groups:
            if g[1] & glengths:
                # Two texts at one length are two courses when one page shows both; on different
                # pages (a school's course in two years) they are one course if the texts are similar.
                if g[4] & pages or not any(_same_text(text, t) for t in g[2]):
                    continue
            if (g[3] | plain) != g[3] or len(plain) > 1:  # the titles differ in a length they name
                if max(fuzz.ratio(text, t) for t in g[2]) < SIMILARITY_THRESHOLD:
                    continue
            uf.union(g[0], idx[0])
            g[1].update(glengths)
            g[2].add(text)
            g[3].update(plain)
            g[4].update(pages)
            break
        else:
            groups.append((idx[0], set(glengths), {text}, set(plain), set(pages)))
    if textless:
        for j in textless[1:]:
            uf.union(textless[0], j)
        if len(groups) == 1:
            uf.union(groups[0][0], textless[0])
        else:  # no text at all, or several courses of this title: the textless ones stand apart
            return len(groups) + 1
    return len(groups)


def _same_text(a: str, b: str) -> bool:
    """Two folded texts that say the same: similar (SIMILARITY_THRESHOLD), or one is the
    other with more added (a later page adds a list of topics to the same description)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return (len(short.split()) >= 8 and long.startswith(short)) or fuzz.ratio(a, b) >= SIMILARITY_THRESHOLD


def _join_similar(pairs: list[tuple[float, int, int]], uf: _UnionFind, lengths: list[tuple], dkeys: list[str]) -> None:
    """Join the most similar pairs first, refusing any join that would put two different
    texts at one length into a course."""
    involved = {uf.find(i) for _, a, b in pairs for i in (a, b)}
    texts_at: dict[int, dict[tuple, set[str]]] = {}  # group root -> {length: description keys}
    for i in range(len(dkeys)):
        r = uf.find(i)
        if r in involved:
            texts_at.setdefault(r, defaultdict(set))[lengths[i]].add(dkeys[i])
    for _score, a, b in sorted(pairs, reverse=True):
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        ta, tb = texts_at[ra], texts_at[rb]
        if any(length in ta and ta[length] != tb[length] for length in tb):
            continue
        root = uf.union(a, b)
        merged: dict[tuple, set[str]] = defaultdict(set)
        for t in (ta, tb):
            for length, keys in t.items():
                merged[length] |= keys
        texts_at[root] = merged


def _build(cols: _Columns, uf, lengths_of, tkeys, dkeys, blocks, shared_title) -> Grouping:
    n = len(dkeys)
    # The root of each listing's set. A union keeps the smaller root, so a set's root is its
    # smallest index and parent[i] <= i: in index order, the parent's root is already known.
    root = uf.parent[:]
    for i in range(n):
        root[i] = root[root[i]]
    members_of: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(root):
        members_of[r].append(i)
    del root
    courses: list[Course] = []
    variants: list[Variant] = []
    course_of = [""] * n
    variant_of = [""] * n
    sha256 = hashlib.sha256
    source_of, title_of, series_of, description_of, bullets_of, audience_of = (
        cols.source, cols.title, cols.series, cols.description, cols.bullets, cols.audience)
    dtext_of, hours_of, hmax_of, mode_of = cols.duration_text, cols.duration_hours, cols.duration_hours_max, cols.delivery_mode
    for members in members_of.values():
        if len(members) == 1:
            # Most courses: one listing, one variant. The same ids and fields as the general path
            # below gives a one-member group (stable_id inlined), without its bookkeeping.
            i = members[0]
            provider, series = blocks[i]
            tkey = tkeys[i]
            if tkey and shared_title[i]:
                key_kind = "title and description"
                text = f"{provider}\x1f{series}\x1f{key_kind}\x1f{tkey}\x1f{dkeys[i]}"
            else:
                key_kind, key = ("title", tkey) if tkey else ("description", dkeys[i])
                text = f"{provider}\x1f{series}\x1f{key_kind}\x1f{key}"
            course_id = "c_" + sha256(text.encode()).hexdigest()[:16]
            hours, hours_max, dtext, mode = hours_of[i], hmax_of[i], dtext_of[i], mode_of[i]
            # stable_id("v_", course_id, hours, hours_max, dtext if hours is None else None, mode)
            text = (f"{course_id}\x1f{'' if hours is None else hours}\x1f{'' if hours_max is None else hours_max}"
                    f"\x1f{(dtext or '') if hours is None else ''}\x1f{mode or ''}")
            variant_id = "v_" + sha256(text.encode()).hexdigest()[:16]
            variants.append(Variant(variant_id, course_id, dtext, hours, hours_max, mode, "only variant", None, 1, [i]))
            courses.append(Course(course_id, provider, source_of[i], title_of[i], series_of[i], description_of[i],
                                  bullets_of[i], audience_of[i], key_kind, [dtext] if dtext else [], hours, hours_max,
                                  1, 1))
            course_of[i] = course_id
            variant_of[i] = variant_id
            continue
        titled = sorted(tkeys[i] for i in members if tkeys[i])
        if titled and any(shared_title[i] for i in members):
            key_kind, key = "title and description", (titled[0], min(dkeys[i] for i in members if tkeys[i]))
        elif titled:
            key_kind, key = "title", titled[0]
        else:
            key_kind, key = "description", min(dkeys[i] for i in members)
        provider, series = blocks[members[0]]
        course_id = (stable_id("c_", provider, series, key_kind, *key) if isinstance(key, tuple)
                     else stable_id("c_", provider, series, key_kind, key))
        # Variants: one per (length, delivery); identical listings collapse and are counted.
        # Two different texts at one length (rules 3 and 4 can bring them together) stay two variants.
        by_variant: dict[tuple, list[int]] = defaultdict(list)
        for i in members:
            hours = cols.duration_hours[i]
            by_variant[(hours, cols.duration_hours_max[i], cols.duration_text[i] if hours is None else None,
                        cols.delivery_mode[i])].append(i)
        for vkey in [k for k, idx in by_variant.items() if len({dkeys[i] for i in idx}) > 1]:
            for i in by_variant.pop(vkey):
                by_variant[(*vkey, dkeys[i])].append(i)
        main_text = _most_common(dkeys[i] for i in members)
        rep = next(i for i in members if dkeys[i] == main_text)
        title = _most_common(cols.title[i] for i in members if cols.title[i])
        course_variants = []
        for (hours, hours_max, text_len, mode, *text), idx in by_variant.items():
            reason, score = _reason(idx[0], members, cols, lengths_of, tkeys, dkeys)
            variant = Variant(
                variant_id=stable_id("v_", course_id, hours, hours_max, text_len, mode, *text),
                course_id=course_id,
                duration_text=cols.duration_text[idx[0]],
                duration_hours=hours,
                duration_hours_max=hours_max,
                delivery_mode=mode,
                join_reason=reason,
                join_score=score,
                n_listings=len(idx),
                listing_indexes=idx,
            )
            course_variants.append(variant)
            for i in idx:
                course_of[i] = course_id
                variant_of[i] = variant.variant_id
        course_variants.sort(key=lambda v: (v.duration_hours is None, v.duration_hours or 0, v.duration_text or ""))
        variants.extend(course_variants)
        hours = [v.duration_hours for v in course_variants if v.duration_hours is not None]
        hours_max = [v.duration_hours_max for v in course_variants if v.duration_hours_max is not None]
        lengths = []
        for v in course_variants:
            if v.duration_text and v.duration_text not in lengths:
                lengths.append(v.duration_text)
        first = members[0]
        courses.append(Course(
            course_id=course_id,
            provider=provider,
            source=cols.source[first],
            title=title,
            series=cols.series[first],
            description=cols.description[rep],
            bullets=cols.bullets[rep],
            audience=cols.audience[rep],
            key_kind=key_kind,
            lengths=lengths,
            min_hours=min(hours) if hours else None,
            max_hours=max(hours_max) if hours_max else None,
            n_variants=len(course_variants),
            n_listings=len(members),
        ))
    courses.sort(key=lambda c: c.course_id)
    return Grouping(courses=courses, variants=variants, course_of=course_of, variant_of=variant_of)


def _most_common(values) -> str | None:
    """The most frequent value; ties go to the greatest, so the choice does not depend on order."""
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda k: (counts[k], k)) if counts else None


def _reason(i: int, members: list[int], cols: _Columns, lengths_of, tkeys, dkeys) -> tuple[str, float | None]:
    """Why listing i belongs with the other members of its course."""
    mode = cols.delivery_mode
    others = [j for j in members if lengths_of[j] != lengths_of[i] or mode[j] != mode[i]]
    if not others:
        return "only variant", None
    if tkeys[i] and any(tkeys[j] == tkeys[i] for j in others):
        return "same title", None
    if any(dkeys[j] == dkeys[i] for j in others):
        return "same description", None
    best = max(fuzz.ratio(dkeys[i], dkeys[j]) for j in others)
    return "similar description", round(best, 1)
