"""Parsers: one module per page kind. A parser takes a page's text (HTML or the
plain visible text) and returns a ParseResult; it knows nothing of HTTP.

Every parser module exposes ``parse(content, url) -> ParseResult`` and may expose
``PROGRAMME_PREFIXES`` (title prefixes that name a programme, e.g. "SLS").
"""
from __future__ import annotations

import importlib
from types import ModuleType

from parsers.errors import ParseError

__all__ = ["ParseError", "get_parser"]


def get_parser(name: str) -> ModuleType:
    """The parser module named in a source entry (e.g. 'cupe_workshops')."""
    if not name.isidentifier():
        raise ValueError(f"parser name {name!r} is not a module name")
    try:
        module = importlib.import_module(f"parsers.{name}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"no parser module parsers/{name}.py") from exc
    if not hasattr(module, "parse"):
        raise ValueError(f"parsers/{name}.py has no parse(content, url) function")
    return module
