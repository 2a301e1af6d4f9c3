"""Normalised keys that decide whether two listings describe the same course."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from normalise.duration import WORD_NUMBERS

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


_KEYS_CHUNK = 32_768  # rows folded as one buffer: bounds the temporary copies of the texts


def description_keys(descriptions: list[str], bullets: list[list[str]]) -> list[str]:
    """description_key of every row of two columns: the same keys as description_key gives one
    row at a time, folded a buffer of _KEYS_CHUNK rows at once. The texts are concatenated,
    translated by _FOLD_BYTES in one call, and their spaces collapsed by Arrow's string kernels
    over the whole buffer; only the texts outside ASCII (NFKD) and the ones that name a unit (the
    length pattern, found by Arrow's RE2 kernel) go through Python one by one."""
    keys: list[str] = []
    for start in range(0, len(descriptions), _KEYS_CHUNK):
        keys += _description_keys(descriptions[start:start + _KEYS_CHUNK], bullets[start:start + _KEYS_CHUNK])
    return keys


def _description_keys(descriptions: list[str], bullets: list[list[str]]) -> list[str]:
    from itertools import accumulate

    import pyarrow as pa
    import pyarrow.compute as pc

    texts = [" ".join([d, *b]) if b else d for d, b in zip(descriptions, bullets)]
    for i, t in enumerate(texts):
        if not t.isascii():  # accents off, what else lies outside ASCII goes (as _fold_plain)
            texts[i] = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode("ascii")
    # ASCII now: one byte a character, so the offsets are the texts' lengths.
    data = pa.py_buffer("".join(texts).encode("ascii").translate(_FOLD_BYTES))
    offsets = pa.array([0, *accumulate(map(len, texts))], pa.int64())
    del texts
    folded = pa.LargeStringArray.from_buffers(len(offsets) - 1, offsets.buffers()[1], data)
    while pc.any(pc.match_substring(folded, "  ")).as_py():  # " ".join(text.split()), in halvings
        folded = pc.replace_substring(folded, "  ", " ")
    folded = pc.ascii_trim(folded, " ")
    keys = folded.to_pylist()
    fold_length = _FOLDED_LENGTH.sub
    for i in pc.indices_nonzero(pc.match_substring_regex(folded, _UNIT_HINT.pattern)).to_pylist():
        keys[i] = " ".join(fold_length(" ", keys[i]).split())
    return keys


def stable_id(prefix: str, *parts: object) -> str:
    """prefix + 16 hex digits of the SHA-256 of the parts (None as the empty string)."""
    text = "\x1f".join(["" if p is None else p if p.__class__ is str else str(p) for p in parts])
    return prefix + hashlib.sha256(text.encode()).hexdigest()[:16]
