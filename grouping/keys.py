"""Normalised keys that decide whether two listings describe the same course."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

from normalise.duration import WORD_NUMBERS

if TYPE_CHECKING:
    import pyarrow as pa

# bytes.translate table: ASCII letters and digits stay (upper case lowered), all else is a space.
_FOLD_BYTES = bytes(c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))
# A length in folded text (lower case, punctuation already spaces): "6 hour", "2 3 hours"
# (from "2-3 hours"), "1 5 days" (from "1.5 days"), "two day", "half day", "2 to 3 hours".
_NUM = r"(?:\d+|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + ")"
_FOLDED_LENGTH = re.compile(rf"\b{_NUM}(?: (?:to )?{_NUM})? ?(?:hours?|hrs?|h|days?|weeks?|wks?)\b")
# Every unit above, found cheaply: most texts name none, and skip the slower pattern.
_UNIT_HINT = re.compile(r"hour|hrs?\b|day|week|wks?\b|\d ?h\b")


# A length at the very end of a folded title: "financial essentials 2 day".
_TRAILING_LENGTH = re.compile(rf"(?:^| ){_FOLDED_LENGTH.pattern}$")


def _fold_plain(text: str) -> str:
    # Accents off ("é" -> "e" + a combining mark, which goes); what else lies outside ASCII
    # is punctuation (curly quotes, dashes) and goes too. Then case and punctuation, bytewise.
    raw = text.encode("ascii") if text.isascii() else unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    return " ".join(raw.translate(_FOLD_BYTES).decode("ascii").split())


def _fold(text: str) -> str:
    """Folded (see _fold_plain), every length mention removed."""
    text = _fold_plain(text)
    if _UNIT_HINT.search(text):
        text = " ".join(_FOLDED_LENGTH.sub(" ", text).split())
    return text


def title_key(title: str | None) -> str | None:
    """A cleaned title (see normalise.split_title), folded: case, accents, punctuation, and a
    length at its very end ("Financial Essentials 2 Day" -> "financial essentials"). A length
    inside a title stays: "Level 2 Day Course" is not "Level 1 Day Course"."""
    if not title:
        return None
    plain = _fold_plain(title)
    folded = _TRAILING_LENGTH.sub("", plain).strip() if _UNIT_HINT.search(plain) else plain
    return folded or plain or None


def plain_title_key(title: str | None) -> str | None:
    """The title folded without removing any length: two titles with the same title_key but
    different plain keys differ only in a length they name."""
    return (_fold_plain(title) or None) if title else None


def description_key(description: str, bullets: list[str]) -> str:
    """Description and bullets, folded: white space, punctuation, case and length mentions
    ("this 6-hour workshop" and "this 9-hour workshop" give the same key)."""
    return _fold(" ".join([description, *bullets]))


# Punctuation outside ASCII that has no Unicode decomposition: NFKD keeps it, the ASCII
# encoding drops it (‘ ’ “ ” – —).
_NO_DECOMPOSITION = "[\u2018\u2019\u201c\u201d\u2013\u2014]"
_KEYS_CHUNK = 32_768  # rows folded at once: bounds the temporary copies of the texts


def description_keys(descriptions, bullets) -> list[str]:
    """description_key of every row of two columns (Python lists, or Arrow arrays: a string
    column and a list-of-strings column): the same keys as description_key gives one row at a
    time, folded _KEYS_CHUNK rows at once by Arrow's kernels over the whole buffer. Only the
    texts outside ASCII (NFKD) go through Python one by one."""
    import pyarrow as pa

    if not isinstance(descriptions, (pa.Array, pa.ChunkedArray)):
        descriptions = pa.array(descriptions, pa.string())
    if not isinstance(bullets, (pa.Array, pa.ChunkedArray)):
        bullets = pa.array(bullets, pa.list_(pa.string()))
    keys: list[str] = []
    for chunk in description_key_arrays(descriptions, bullets):
        keys += chunk.to_pylist()
    return keys


def description_key_arrays(descriptions, bullets) -> Iterator["pa.StringArray"]:
    """description_keys, _KEYS_CHUNK rows at a time, as Arrow string arrays (one byte a
    character: the keys are ASCII): what a caller holds where it reads the keys again."""
    for start in range(0, len(descriptions), _KEYS_CHUNK):
        yield _description_keys(descriptions.slice(start, _KEYS_CHUNK), bullets.slice(start, _KEYS_CHUNK))


def _description_keys(descriptions, bullets) -> "pa.StringArray":
    import pyarrow as pa
    import pyarrow.compute as pc

    # Description and bullets, one space apart (spaces are collapsed below, so a trailing one
    # where there are no bullets changes nothing).
    text = pc.binary_join_element_wise(descriptions, pc.binary_join(bullets, " "), " ")
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    text = text.cast(pa.string())
    ascii_ = pc.string_is_ascii(text)
    if not pc.all(ascii_).as_py():  # accents off, what else lies outside ASCII goes (as _fold_plain)
        outside = pc.invert(ascii_)
        # NFKD maps a text character by character (ASCII is never reordered), so the common
        # punctuation is handled here in Arrow: quotes and dashes have no decomposition (they
        # go, as encode("ascii", "ignore") drops them) and the ellipsis decomposes to "...".
        # Only the texts still outside ASCII (accents) go through Python one by one.
        some = pc.replace_substring_regex(pc.filter(text, outside), _NO_DECOMPOSITION, "")
        some = pc.replace_substring(some, "\u2026", "...")
        still = pc.invert(pc.string_is_ascii(some))
        if pc.any(still).as_py():
            normalize, normalized = unicodedata.normalize, unicodedata.is_normalized  # (the check is cheaper)
            fixed = [(t if normalized("NFKD", t) else normalize("NFKD", t)).encode("ascii", "ignore").decode("ascii")
                     for t in pc.filter(some, still).to_pylist()]
            some = pc.replace_with_mask(some, still, pa.array(fixed, pa.string()))
        text = pc.replace_with_mask(text, outside, some)
    # ASCII now, one byte a character: _FOLD_BYTES over the whole data buffer keeps the offsets.
    _, offsets, data = text.buffers()
    text = pa.StringArray.from_buffers(len(text), offsets, pa.py_buffer(data.to_pybytes().translate(_FOLD_BYTES)),
                                       None, 0, text.offset)
    folded = pc.ascii_trim(pc.replace_substring_regex(text, "  +", " "), " ")  # " ".join(text.split())
    # The length mentions, where a unit is named (Arrow's RE2 finds the same matches as re here:
    # the text is lower-case ASCII letters, digits and single spaces, the patterns leftmost-first).
    hint = pc.match_substring_regex(folded, _UNIT_HINT.pattern)
    if pc.any(hint).as_py():
        cut = pc.replace_substring_regex(pc.filter(folded, hint), _FOLDED_LENGTH.pattern, " ")
        cut = pc.ascii_trim(pc.replace_substring_regex(cut, "  +", " "), " ")
        folded = pc.replace_with_mask(folded, hint, cut)
    return folded


def stable_id(prefix: str, *parts: object) -> str:
    """prefix + 16 hex digits of the SHA-256 of the parts (None as the empty string)."""
    text = "\x1f".join(["" if p is None else p if p.__class__ is str else str(p) for p in parts])
    return prefix + hashlib.sha256(text.encode()).hexdigest()[:16]
