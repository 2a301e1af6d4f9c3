"""The raw page archive: every fetched page, compressed, keyed by source, URL and content hash.

Layout: ``<root>/<source>/<sha256[:2]>/<sha256>.gz`` holds the page's bytes, and
``<root>/<source>/index.jsonl`` has one line per fetch (url, hash, encoding, ...).
``read_archive`` replays the latest page per URL; a folder of plain saved pages
(``*.html``, ``*.htm``, ``*.txt``, optionally gzipped, no index) is read too.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

PLAIN_SUFFIXES = (".html", ".htm", ".txt", ".html.gz", ".htm.gz", ".txt.gz")


class ArchiveError(Exception):
    """An archive folder cannot be read: names the folder and what was expected."""


@dataclass(slots=True)
class PageRecord:
    """A page ready to parse, fetched or replayed, with what the pages table records of it."""

    source: str
    url: str
    text: str
    content_hash: str
    encoding: str
    content_type: str
    archive_path: str | None
    fetched_at: datetime | None
    bytes: int = 0
    status_code: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    unchanged: bool = False  # the same as in the previous run (HTTP 304 or same content hash)
    requested_url: str | None = None  # the URL asked for, where a redirect led to ``url``
    # The links the crawl follows from the page (absolute), those of them that continue its
    # listing, and the link rules that found them (fetch.crawl.link_rules): recorded in the pages
    # table, so that a page found unchanged by the same rules need not be read to find them.
    links: list[str] | None = None
    next_pages: list[str] | None = None
    links_by: str | None = None
    # An unchanged page whose text was not read (its links were known): ``read_text`` reads it
    # from the archive when the source is parsed after all.
    text_deferred: bool = False

    @property
    def gone(self) -> bool:
        """A linked page that answered 404 or 410 (fetch.crawl): no text to parse."""
        return self.status_code in (404, 410) and not self.text and not self.text_deferred

    def read_text(self, root: Path) -> None:
        """Read a deferred text from the archive under ``root`` (ArchiveError if it is gone)."""
        if self.text_deferred:
            stored = read_stored(root, self.source, url=self.url, archive_path=self.archive_path or "",
                                 content_hash=self.content_hash, encoding=self.encoding or None,
                                 content_type=self.content_type or None)
            self.text, self.encoding, self.bytes, self.text_deferred = stored.text, stored.encoding, stored.bytes, False

    def row(self) -> dict:
        """The page's row in the warehouse's pages table."""
        return {
            "source": self.source, "url": self.url, "status_code": self.status_code,
            "fetched_at": self.fetched_at, "content_hash": self.content_hash,
            "encoding": self.encoding, "content_type": self.content_type, "bytes": self.bytes,
            "etag": self.etag, "last_modified": self.last_modified, "archive_path": self.archive_path,
            "unchanged": self.unchanged, "requested_url": self.requested_url,
            "links": self.links, "next_pages": self.next_pages, "links_by": self.links_by,
        }


def store(root: Path, source: str, *, url: str, content: bytes, encoding: str, content_type: str,
          fetched_at: datetime, etag: str | None = None, last_modified: str | None = None,
          status: int = 200) -> str:
    """Keep one fetched page; returns its path relative to root. Same bytes are stored once."""
    digest = hashlib.sha256(content).hexdigest()
    rel = Path(source) / digest[:2] / f"{digest}.gz"
    path = root / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with gzip.open(tmp, "wb", compresslevel=6) as fh:
            fh.write(content)
        tmp.replace(path)
    entry = {
        "url": url, "sha256": digest, "path": str(rel), "encoding": encoding,
        "content_type": content_type, "fetched_at": fetched_at.isoformat(),
        "etag": etag, "last_modified": last_modified, "status": status, "bytes": len(content),
    }
    with open(root / source / "index.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")
    return str(rel)


def read_archive(root: Path, source: str, default_url: str) -> list[PageRecord]:
    """The pages of one source in an archive folder, in a stable order.

    A folder written by a refresh has an index.jsonl naming each page's URL. A plain folder of
    saved pages (samples/archive) does not: an HTML page is replayed under the URL its
    ``<link rel="canonical">`` gives (on the source's host), else under the source's URL, with
    ``#file-name`` where the folder holds several pages."""
    folder = root / source
    if not folder.is_dir():
        raise ArchiveError(f"archive {root} has no folder {source}/ (expected one subfolder per source name)")
    index = folder / "index.jsonl"
    if index.exists():
        return _read_indexed(root, source, index)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(PLAIN_SUFFIXES))
    if not files:
        raise ArchiveError(f"archive folder {folder} holds no index.jsonl and no .html or .txt pages")
    pages = []
    for p in files:
        content = gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes()
        from fetch.client import decode

        is_text = p.name.lower().removesuffix(".gz").endswith(".txt")
        text, encoding = decode(content, "text/plain" if is_text else "text/html")
        url = default_url if len(files) == 1 else f"{default_url}#{p.name}"
        if not is_text:
            url = _canonical(text, default_url) or url
        pages.append(PageRecord(
            source=source, url=url, text=text, content_hash=hashlib.sha256(content).hexdigest(),
            encoding=encoding, content_type="text/plain" if is_text else "text/html",
            archive_path=str(p), fetched_at=datetime.fromtimestamp(p.stat().st_mtime, timezone.utc),
            bytes=len(content),
        ))
    urls = [page.url for page in pages]
    for page, p in zip(pages, files):
        if urls.count(page.url) > 1:  # two files claim one URL: each keeps its file's name
            page.url = f"{default_url}#{p.name}"
    return pages


_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_REL_CANONICAL = re.compile(r"""\brel\s*=\s*["']?canonical\b""", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _canonical(html: str, default_url: str) -> str | None:
    """The URL a saved HTML page gives itself (<link rel="canonical">), where it is on the
    source's own host: a plain archive folder then replays each page under its real URL."""
    for tag in _LINK_TAG.findall(html[:65536]):
        if _REL_CANONICAL.search(tag) and (m := _HREF.search(tag)):
            url = urljoin(default_url, next(g for g in m.groups() if g is not None).strip())
            if urlsplit(url).hostname == urlsplit(default_url).hostname:
                return url
    return None


def read_stored(root: Path, source: str, *, url: str, archive_path: str, content_hash: str,
                encoding: str | None, content_type: str | None) -> PageRecord:
    """One page from the archive by the path the warehouse recorded for it."""
    path = root / archive_path
    try:
        content = gzip.decompress(path.read_bytes())
    except FileNotFoundError:
        raise ArchiveError(f"{url}: its archived copy {path} is missing (was --archive-dir changed?)") from None
    from fetch.client import decode

    text, used = (content.decode(encoding, errors="replace"), encoding) if encoding else decode(content, content_type)
    return PageRecord(source=source, url=url, text=text, content_hash=content_hash, encoding=used,
                      content_type=content_type or "", archive_path=archive_path, fetched_at=None,
                      bytes=len(content))


def _read_indexed(root: Path, source: str, index: Path) -> list[PageRecord]:
    latest: dict[str, dict] = {}
    for n, line in enumerate(index.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise ArchiveError(f"{index}, line {n}: not JSON (expected one object per line)") from None
        latest[entry["url"]] = entry  # later lines win: the latest fetch of each URL
    pages = []
    for url, e in latest.items():
        path = root / e["path"]
        try:
            content = gzip.decompress(path.read_bytes())
        except FileNotFoundError:
            raise ArchiveError(f"{index}: page {url} points to {path}, which is missing") from None
        pages.append(PageRecord(
            source=source, url=url, text=content.decode(e["encoding"], errors="replace"),
            content_hash=e["sha256"], encoding=e["encoding"], content_type=e["content_type"],
            archive_path=e["path"], fetched_at=datetime.fromisoformat(e["fetched_at"]),
            bytes=len(content), status_code=e.get("status"), etag=e.get("etag"),
            last_modified=e.get("last_modified"),
        ))
    return pages
