"""Normalised keys that decide whether two listings describe the same course."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from normalise.duration import DURATION_RE

_NON_WORD = re.compile(r"[^\w]+")
_WS = re.compile(r"\s+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = DURATION_RE.sub(" ", text.lower())
    return _WS.sub(" ", _NON_WORD.sub(" ", text)).strip()


def title_key(title: str | None) -> str | None:
    """A cleaned title (see normalise.split_title), folded: case, accents, punctuation, lengths."""
    if not title:
        return None
    return _fold(title) or None


def description_key(description: str, bullets: list[str]) -> str:
    """Description and bullets, folded: white space, punctuation, case and length mentions
    ("this 6-hour workshop" and "this 9-hour workshop" give the same key)."""
    return _fold(" ".join([description, *bullets]))


def stable_id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}{digest[:16]}"
