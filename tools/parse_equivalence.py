"""Does a change to the parsers or normalise leave their output unchanged? Old tree against new.

    .venv/bin/python tools/parse_equivalence.py --old /tmp/old_parse [--markups 400] [--sizes 1000,5000]

``--old`` is an export of the code before the change (``git archive <commit> | tar -x -C DIR``).
The inputs are built once here, from this tree: every page in ``samples/`` (HTML and text),
the bench's generated catalogue pages (``bench.generate``) at the given sizes, the seed
catalogue rendered in drawn markups (``tests.markup``, the generator of
``tests/test_markups.py``), the hand-written AUPE page in drawn markups
(``tests/test_aupe_markups.render``) and the pathological pages of ``bench.pathological``.
Each tree then reads every input in a process of its own (its folder first on ``sys.path``)
and records, per input: the lines (``parsers.lines.page_lines``), the canonical URL and next
links, every parser's result (listings field for field, block errors, blocks seen; or the
error it raised), and for the catalogue sources the normalised listings as ``normalise``
and as ``normalise_batch`` give them. The two records are compared key by key; the script
prints the counts and exits 1 on any difference.
"""
from __future__ import annotations

import argparse
import pickle
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "004_f2b4f38a1485bd1c.txt"
CATALOGUE_SOURCES = ("cupe-workshops", "aupe-courses")
PAGE_PARSERS = ("cupe_workshops", "aupe_courses", "cupe_events", "aupe_events", "aupe_news", "aupe_labour_school",
                "cupe_workshop_page")


# --- inputs (built from this tree) ----------------------------------------------------

def _markup_styles(n: int, rng: random.Random):
    """Styles drawn from the same choices as tests/test_markups.py's hypothesis strategy."""
    from tests.markup import Style

    for k in range(n):
        yield Style(
            wrapper=rng.choice(["div", "section", "article", "li", "td"]),
            field_tag=rng.choice(["div", "span", "p", "h3", "h4", "h5", "h6", "strong"]),
            classes=rng.choice(["drupal", "random", "none"]),
            body=rng.choice(["structured", "flat", "br"]),
            bullet=rng.choice(["li", "li-p", "marker"]),
            marker=rng.choice(["• ", "- ", "– ", "* ", "•", "-"]),
            programme=rng.choice(["line", "heading", "inline"]),
            titles=rng.choice(["none", "heading", "link", "header"]),
            title_level=rng.randint(3, 6),
            chrome=rng.random() < 0.5, form=rng.random() < 0.5, main=rng.random() < 0.5,
            ws=rng.choice(["", "\n", "\n  ", " ", "\t\n"]),
            seed=rng.randint(0, 2**16))


def _aupe_styles(n: int, rng: random.Random):
    for _ in range(n):
        yield dict(ws=rng.choice(["", "\n", "\n  "]), chrome=rng.random() < 0.5, main=rng.random() < 0.5,
                   title=rng.choice(["h2", "h3", "h4", "strong"]),
                   labels=rng.sample(["inline", "plain", "heading", "alone"], rng.randint(1, 4)),
                   upper=rng.random() < 0.5, lists=rng.choice(["ul", "marker"]),
                   wrapper=rng.choice(["section", "div", "article", ""]))


def build_inputs(markups: int, sizes: list[int]) -> list[dict]:
    """Each input: kind, name, content, url, and the source whose parser reads it (None: all)."""
    sys.path.insert(0, str(ROOT))
    from bench.generate import catalogue
    from bench.pathological import pages as pathological_pages
    from tests.markup import Renderer, seed_blocks
    from tests.test_aupe_markups import render as render_aupe

    out: list[dict] = []
    for path in sorted((ROOT / "samples").rglob("*")):
        if path.suffix in (".html", ".txt") and path.is_file():
            source = path.parent.name if path.parent.parent.name == "archive" else None
            out.append(dict(kind="sample", name=str(path.relative_to(ROOT)), content=path.read_text(encoding="utf-8"),
                            url="https://example.org/" + path.name, source=source))
    if SEED.exists():
        out.append(dict(kind="sample", name="seed", content=SEED.read_text(encoding="utf-8"),
                        url="https://cupe.ca/mrm-union-education/workshops", source="cupe-workshops"))
    for size in sizes:
        for k, p in enumerate(catalogue(size)):
            out.append(dict(kind="generated", name=f"bench {size} page {k}", content=p.html, url=p.url,
                            source=p.source))
    rng = random.Random(2026)
    blocks = seed_blocks(SEED.read_text(encoding="utf-8"))
    for k, style in enumerate(_markup_styles(markups, rng)):
        page, _ = Renderer(style).page(blocks)
        out.append(dict(kind="markup", name=f"markup {k} {style}", content=page,
                        url="https://cupe.ca/mrm-union-education/workshops", source="cupe-workshops"))
    for k, style in enumerate(_aupe_styles(max(50, markups // 4), rng)):
        out.append(dict(kind="aupe-markup", name=f"aupe markup {k} {style}",
                        content=render_aupe(style, random.Random(k)), url="https://aupe.org/training/courses",
                        source="aupe-courses"))
    # Damaged pages, so that block errors are compared too: drawn markups and the text capture
    # with a random share of their paragraphs, lists and lines cut out.
    seed_text = SEED.read_text(encoding="utf-8")
    for k, style in enumerate(_markup_styles(max(40, markups // 5), rng)):
        page, _ = Renderer(style).page(blocks)
        share = rng.choice([0.2, 0.5, 0.8])
        page = re.sub(r"<(p|ul|li)\b[^>]*>.*?</\1>", lambda m: "" if rng.random() < share else m.group(), page,
                      flags=re.S)
        out.append(dict(kind="damaged", name=f"damaged markup {k} {share} {style}", content=page,
                        url="https://cupe.ca/mrm-union-education/workshops", source="cupe-workshops"))
    for k in range(20):
        share = rng.choice([0.2, 0.5])
        text = "\n".join(l for l in seed_text.splitlines() if rng.random() >= share)
        out.append(dict(kind="damaged", name=f"damaged seed {k} {share}", content=text,
                        url="https://cupe.ca/mrm-union-education/workshops", source="cupe-workshops"))
    for k, (kind, page) in enumerate(pathological_pages(120, seed=5, max_bytes=20_000)):
        out.append(dict(kind="pathological", name=f"pathological {k} {kind}", content=page,
                        url="https://example.org/page", source="cupe-workshops"))
    return out


# --- reading (in the tree under test) -------------------------------------------------

def _plain(x):
    """A model, dataclass or value as plain data, for comparison."""
    if hasattr(x, "model_dump"):
        return _plain(x.model_dump())
    if hasattr(x, "__dataclass_fields__"):
        return {k: _plain(getattr(x, k)) for k in x.__dataclass_fields__}
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def _guard(fn):
    try:
        return ("ok", fn())
    except Exception as exc:  # the error a page gives is part of the output
        return ("error", type(exc).__name__, str(exc))


def read_all(inputs: list[dict]) -> dict:
    from normalise.listing import normalise, normalise_batch
    from parsers import get_parser, lines
    from sources import load_sources

    sources = {s.name: s for s in load_sources()}
    out = {}
    for inp in inputs:
        key, content, url = inp["name"], inp["content"], inp["url"]
        rec = {"lines": _guard(lambda: [( l.kind, l.text, l.level, l.href, l.bold)
                                       for l in lines.page_lines(content, url)[0]]),
               "canonical": _guard(lambda: lines.canonical_url(content)),
               "next": _guard(lambda: lines.next_page_urls(content))}
        names = PAGE_PARSERS if inp["source"] is None or inp["kind"] == "sample" else (
            sources[inp["source"]].parser,)
        for name in names:
            parser = get_parser(name)
            rec[name] = _guard(lambda: _plain(parser.parse(content, url)))
            if hasattr(parser, "parse_page"):
                rec[name + ".parse_page"] = _guard(lambda: _plain(parser.parse_page(content, url)))
            if hasattr(parser, "find_links"):
                rec[name + ".find_links"] = _guard(lambda: parser.find_links(content))
        for sname in CATALOGUE_SOURCES:
            src = sources[sname]
            if inp["source"] not in (None, sname) and inp["kind"] != "sample":
                continue
            parser = get_parser(src.parser)
            kw = dict(provider=src.provider, source=src.name, conventions=src.conventions,
                      prefixes=getattr(parser, "PROGRAMME_PREFIXES", {}))

            def listings(parser=parser, kw=kw):
                raws = parser.parse(content, url).listings
                return {"normalise": _plain(normalise(raws, **kw)),
                        "batch": normalise_batch(raws, **kw).table.to_pylist()}
            rec["normalised " + sname] = _guard(listings)
        out[key] = rec
    return out


# --- driver -----------------------------------------------------------------------------

def _run_tree(tree: Path, inputs_file: Path, out_file: Path) -> None:
    code = ("import sys, pickle; sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[4]);"
            "import parse_equivalence as pe; import parsers;"
            "assert parsers.__file__.startswith(sys.argv[1]), parsers.__file__;"
            "pickle.dump(pe.read_all(pickle.load(open(sys.argv[2], 'rb'))), open(sys.argv[3], 'wb'))")
    subprocess.run([sys.executable, "-c", code, str(tree), str(inputs_file), str(out_file), str(ROOT / "tools")],
                   check=True, cwd=tree)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="tools/parse_equivalence.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", type=Path, required=True, help="an export of the code before the change")
    ap.add_argument("--new", type=Path, default=ROOT)
    ap.add_argument("--markups", type=int, default=400)
    ap.add_argument("--sizes", default="1000,5000")
    a = ap.parse_args(argv)
    inputs = build_inputs(a.markups, [int(s) for s in a.sizes.split(",") if s])
    with tempfile.TemporaryDirectory(prefix="parse-equivalence-") as tmp:
        tmp = Path(tmp)
        with open(tmp / "inputs.pkl", "wb") as fh:
            pickle.dump(inputs, fh)
        _run_tree(a.old, tmp / "inputs.pkl", tmp / "old.pkl")
        _run_tree(a.new, tmp / "inputs.pkl", tmp / "new.pkl")
        old = pickle.load(open(tmp / "old.pkl", "rb"))
        new = pickle.load(open(tmp / "new.pkl", "rb"))
    counts: dict[str, list[int]] = {}
    listings = errors = 0
    differences = []
    for inp in inputs:
        o, n = old[inp["name"]], new[inp["name"]]
        c = counts.setdefault(inp["kind"], [0, 0])
        c[0] += 1
        diff = [(inp["name"], key) for key in sorted(set(o) | set(n)) if o.get(key) != n.get(key)]
        differences += diff
        c[1] += bool(diff)
        for key, value in o.items():
            if key in PAGE_PARSERS and value[0] == "ok" and isinstance(value[1], dict):
                listings += len(value[1].get("listings") or [])
                errors += len(value[1].get("errors") or [])
    for kind, (n_inputs, n_diff) in counts.items():
        print(f"{kind:14s} {n_inputs:5d} inputs, {n_diff} with a difference")
    print(f"compared: {len(inputs)} inputs, {listings} raw listings and {errors} block errors "
          f"(old tree), {sum(len(r) for r in old.values())} records")
    print(f"differences: {len(differences)}")
    for name, key in differences[:20]:
        print(f"  {name[:100]} :: {key}")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
