"""The analyst's layer of the warehouse: topics, views, search, export and the data dictionary.

* ``ANALYST_DDL`` / ``ensure_analyst_schema(con)``: the ``course_topics`` table and the
  views ``courses_by_programme``, ``courses_for_audience``, ``topic_comparison``,
  ``topic_taxonomy`` and ``course_terms``, each with a COMMENT on it and on every column.
  Idempotent; needs the base tables of ``warehouse.ddl`` to exist first.
* ``topic_rows(courses)``: the ``course_topics`` rows of some courses (``topics.assign_topics``);
  the load (warehouse/load.py) writes them for every course whose content changed.
* ``search(con, words, limit)``: BM25 ranking over title, description and bullets, computed in
  SQL (DuckDB's ``fts`` extension cannot be installed offline; see docs/data-dictionary.md).
* ``export(con, folder, fmt)``: every table and view, with DuckDB's COPY ... TO.
* ``data_dictionary(con)``: docs/data-dictionary.md, read from the database's own comments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from topics import RULES, TOPICS, assign_topics

# --------------------------------------------------------------------------------------
# Audience categories: who a course is for, from its audience note, programme and text.
# (category, rule name, SQL condition over the courses table `c`). Rules are tried in order
# (audience note, then programme, then text) and the first that fires per category names the
# row's rule; docs/topics.md describes each in words.
AUDIENCE_CATEGORIES = ["stewards", "local executive", "bargaining committee", "health and safety"]
_TEXT = "lower(coalesce(c.title, '') || ' ' || c.description)"
AUDIENCE_RULES: list[tuple[str, str, str]] = [
    ("stewards", "audience:steward", "regexp_matches(lower(c.audience), '\\bstewards?\\b')"),
    ("stewards", "programme:steward", "regexp_matches(lower(c.series), '\\bsteward')"),
    ("stewards", "text:for-stewards", f"regexp_matches({_TEXT}, '\\bstewards?\\b')"),
    ("local executive", "audience:local-executive",
     "regexp_matches(lower(c.audience), '\\b(executive|elected|officers?|trustees?|treasurers?|secretar(y|ies))\\b')"),
    ("local executive", "programme:local-executive", "c.series = 'Local Executive Training'"),
    ("local executive", "text:for-local-executive",
     f"regexp_matches({_TEXT}, '(local executive|executive teams?|local union leaders|elected position|"
     f"secretary-treasurers|recording secretar|\\btrustees\\b)')"),
    ("bargaining committee", "audience:bargaining-committee",
     "regexp_matches(lower(c.audience), '(bargaining|strike|mobili[sz]ation) committee|picket captains?')"),
    ("bargaining committee", "programme:bargaining", "c.series = 'Bargaining Program'"),
    ("bargaining committee", "text:for-bargaining-committee",
     f"regexp_matches({_TEXT}, '(bargaining (committee|team)|picket captains?)')"),
    ("health and safety", "audience:health-and-safety",
     "regexp_matches(lower(c.audience), '(health and safety|safety committee)')"),
    ("health and safety", "programme:health-and-safety", "c.series = 'Health & Safety Learning Series'"),
    ("health and safety", "text:for-health-and-safety",
     f"regexp_matches({_TEXT}, 'health and safety (committees?|activists?|representatives?)')"),
]

# --------------------------------------------------------------------------------------
# Search terms: one tokeniser for the documents (view course_terms) and for the query.
STOPWORDS = sorted({
    "a", "about", "all", "also", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for",
    "from", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "more", "my", "not", "of",
    "on", "or", "our", "s", "so", "that", "the", "their", "them", "they", "this", "to", "us", "was", "we", "what",
    "when", "where", "which", "who", "why", "will", "with", "you", "your",
})
_STOP_SQL = ", ".join(f"'{w}'" for w in STOPWORDS)


def _terms_sql(text_sql: str) -> str:
    """SQL yielding one row per search term (column `term`) of the text expression `text_sql`:
    lower-cased, accents stripped, split on anything but letters and digits, one-letter words
    and stop words dropped, then one light suffix (ing, ed, es, s, e) cut from words longer
    than four letters, so 'grievances' and 'grievance' meet at 'grievanc'."""
    return f"""SELECT CASE WHEN length(tok) > 4 THEN regexp_replace(tok, '(ing|ed|es|s|e)$', '') ELSE tok END AS term
               FROM (SELECT unnest(string_split_regex(lower(strip_accents({text_sql})), '[^a-z0-9]+')) AS tok)
               WHERE length(tok) > 1 AND tok NOT IN ({_STOP_SQL})"""


BM25_K1 = 1.2
BM25_B = 0.75

# --------------------------------------------------------------------------------------
# The DDL: (name, kind, comment, sql or columns, column comments)


@dataclass(frozen=True, slots=True)
class Obj:
    name: str
    kind: str  # "table" | "view"
    comment: str
    columns: list[tuple[str, str]]  # (column, comment); for a table, (column, "TYPE: comment")
    sql: str = ""


def _lit(text: str) -> str:
    # COMMENT ON and VALUES take literals; the texts are ours, quotes doubled.
    return "'" + text.replace("'", "''") + "'"


def _topic_values() -> str:
    rows = ", ".join(f"({i}, {_lit(t)}, {_lit(d)})" for i, (t, d) in enumerate(TOPICS.items(), 1))
    return f"(VALUES {rows}) AS t(position, topic, covers)"


def _audience_sql() -> str:
    parts = []
    for order, (category, rule, cond) in enumerate(AUDIENCE_RULES):
        parts.append(f"SELECT c.course_id, {_lit(category)} AS audience_category, {_lit(rule)} AS rule, "
                     f"{order} AS rule_order FROM courses c WHERE c.status = 'active' AND coalesce({cond}, false)")
    union = "\n            UNION ALL ".join(parts)
    cats = ", ".join(f"({i}, {_lit(c)})" for i, c in enumerate(AUDIENCE_CATEGORIES))
    return f"""SELECT m.audience_category, m.rule, c.course_id, c.provider, c.series, c.title,
               left(c.description, 80) AS description_start, c.audience, c.lengths
        FROM (SELECT * FROM ({union})
              QUALIFY row_number() OVER (PARTITION BY course_id, audience_category ORDER BY rule_order) = 1) m
        JOIN courses c USING (course_id)
        JOIN (VALUES {cats}) AS k(k_order, k_category) ON k.k_category = m.audience_category
        ORDER BY k.k_order, c.provider, c.series NULLS LAST, c.title NULLS LAST, c.course_id"""


ANALYST_DDL: list[Obj] = [
    Obj("course_topics", "table",
        "Topics of each current course, one row per (course, topic), with the named rule that placed it "
        "(topics/rules.py, docs/topics.md). Every course has at least one topic.",
        [("course_id", "VARCHAR NOT NULL: The course (courses.course_id)."),
         ("topic", "VARCHAR NOT NULL: One of the seven topics of topic_taxonomy, e.g. 'health and safety'."),
         ("rule", "VARCHAR NOT NULL: The rule that assigned the topic, e.g. 'programme:steward', 'text:equity', "
                  "'fallback:union-basics' (docs/topics.md).")]),
    Obj("topic_taxonomy", "view",
        "The seven topics courses are sorted into, in report order, with what each covers (topics/rules.py).",
        [("position", "Order of the topic in reports (1 = first)."),
         ("topic", "Name of the topic, as in course_topics.topic."),
         ("covers", "What the topic covers.")],
        f"SELECT position, topic, covers FROM {_topic_values()} ORDER BY position"),
    Obj("courses_by_programme", "view",
        "Current courses counted by union and programme (series); '(none)' where a course names no programme.",
        [("provider", "Union offering the courses: AUPE or CUPE."),
         ("programme", "Programme or series, e.g. 'Steward Learning Series'; '(none)' for courses outside any."),
         ("courses", "Number of current courses."),
         ("multi_length_courses", "How many of them come in more than one length."),
         ("variants", "Number of (length, delivery) variants of these courses."),
         ("listings", "Number of listings on the providers' pages behind these courses."),
         ("min_hours", "Shortest length among these courses, in contact hours."),
         ("max_hours", "Longest length among these courses, in contact hours.")],
        """SELECT provider, coalesce(series, '(none)') AS programme, count(*) AS courses,
               count(*) FILTER (WHERE len(lengths) > 1) AS multi_length_courses,
               sum(n_variants)::BIGINT AS variants, sum(n_listings)::BIGINT AS listings,
               min(min_hours) AS min_hours, max(max_hours) AS max_hours
        FROM courses WHERE status = 'active' GROUP BY ALL ORDER BY provider, courses DESC, programme"""),
    Obj("courses_for_audience", "view",
        "Current courses by audience category (stewards, local executive, bargaining committee, health and safety), "
        "derived from the course's audience note, programme and description by the named rules of "
        "warehouse/analyst.py (AUDIENCE_RULES, docs/topics.md). A course can be in several categories or none.",
        [("audience_category", "stewards, local executive, bargaining committee or health and safety."),
         ("rule", "The first rule that placed the course in the category: audience:... (its audience note), "
                  "programme:... (its series) or text:... (its description)."),
         ("course_id", "The course (courses.course_id)."),
         ("provider", "Union offering the course: AUPE or CUPE."),
         ("series", "Programme or series; null where none is given."),
         ("title", "Course title; null where the page gives none."),
         ("description_start", "The first 80 characters of the description."),
         ("audience", "Who the course is for, as the page says it; null where it does not."),
         ("lengths", "The lengths the course comes in, as written, shortest first.")],
        _audience_sql()),
    Obj("topic_comparison", "view",
        "AUPE and CUPE side by side: per topic, how many current courses each offers and which "
        "(title, or the start of the description where the page gives no title). A course with several "
        "topics counts under each.",
        [("position", "Order of the topic (topic_taxonomy.position)."),
         ("topic", "The topic (topic_taxonomy.topic)."),
         ("aupe_courses", "Number of AUPE courses with the topic."),
         ("cupe_courses", "Number of CUPE courses with the topic."),
         ("aupe_titles", "AUPE's courses with the topic: titles, or description starts, sorted."),
         ("cupe_titles", "CUPE's courses with the topic: titles, or description starts, sorted.")],
        f"""WITH named AS (
            SELECT ct.topic, c.provider,
                   coalesce(c.title, left(c.description, 60) || CASE WHEN length(c.description) > 60 THEN '…' ELSE '' END) AS name
            FROM course_topics ct JOIN courses c USING (course_id) WHERE c.status = 'active')
        SELECT t.position, t.topic,
               count(*) FILTER (WHERE n.provider = 'AUPE') AS aupe_courses,
               count(*) FILTER (WHERE n.provider = 'CUPE') AS cupe_courses,
               coalesce(list(n.name ORDER BY n.name) FILTER (WHERE n.provider = 'AUPE'), []) AS aupe_titles,
               coalesce(list(n.name ORDER BY n.name) FILTER (WHERE n.provider = 'CUPE'), []) AS cupe_titles
        FROM {_topic_values()} LEFT JOIN named n ON n.topic = t.topic
        GROUP BY t.position, t.topic ORDER BY t.position"""),
    Obj("course_facts", "view",
        "Course-level facts of each current course, gathered from its listings so that 'which courses are "
        "online' or 'which have prerequisites' needs no join: each fact is the sorted list of the distinct "
        "values its listings give (one value where all variants agree, several where they differ, [] where "
        "the page says nothing).",
        [("course_id", "The course (courses.course_id)."),
         ("provider", "Union offering the course: AUPE or CUPE."),
         ("series", "Programme or series; null where none is given."),
         ("title", "Course title; null where the page gives none."),
         ("delivery_modes", "Delivery modes the listings name: in_person, online; [] where the page does not say."),
         ("online", "True when at least one listing of the course is online."),
         ("prerequisites", "Prerequisites as written; [] where there are none (the page's 'None' or 'N/A' is no prerequisite)."),
         ("audiences", "Who the course is for, as the listings say it."),
         ("availability", "Availability as written, e.g. 'Currently not available'; [] where the page says nothing."),
         ("links", "URLs of the course's own pages."),
         ("notes", "Other notes of the listings (requirements, pointers to other courses)."),
         ("methods", "Teaching methods."),
         ("learning_outcomes", "Learning outcomes."),
         ("n_listings", "Listings on the providers' pages behind the course.")],
        """SELECT c.course_id, c.provider, c.series, c.title,
               coalesce(list_sort(list_distinct(list(l.delivery_mode))), []) AS delivery_modes,
               coalesce(bool_or(l.delivery_mode = 'online'), false) AS online,
               coalesce(list_sort(list_distinct(list(l.prerequisites))), []) AS prerequisites,
               coalesce(list_sort(list_distinct(list(l.audience))), []) AS audiences,
               coalesce(list_sort(list_distinct(list(l.availability))), []) AS availability,
               coalesce(list_sort(list_distinct(list(l.link))), []) AS links,
               coalesce(list_sort(list_distinct(flatten(list(l.notes)))), []) AS notes,
               coalesce(list_sort(list_distinct(flatten(list(l.methods)))), []) AS methods,
               coalesce(list_sort(list_distinct(flatten(list(l.learning_outcomes)))), []) AS learning_outcomes,
               count(l.course_id) AS n_listings
        FROM courses c LEFT JOIN listings l USING (course_id)
        WHERE c.status = 'active'
        GROUP BY c.course_id, c.provider, c.series, c.title
        ORDER BY c.provider, c.series NULLS LAST, c.title NULLS LAST, c.course_id"""),
    Obj("course_terms", "view",
        "Search terms of each current course's title, description and bullets, as `courses search` ranks them "
        "(BM25, computed in SQL: DuckDB's fts extension is not installable offline). Lower-cased, accents "
        "stripped, stop words dropped, one light suffix (ing, ed, es, s, e) cut from words over four letters.",
        [("course_id", "The course (courses.course_id)."),
         ("term", "A search term, e.g. 'grievanc' for grievance(s)."),
         ("tf", "How often the term occurs in the course's text (term frequency)."),
         ("doc_length", "Number of terms in the course's text (the document length of BM25).")],
        f"""SELECT course_id, term, count(*) AS tf, sum(count(*)) OVER (PARTITION BY course_id)::BIGINT AS doc_length
        FROM courses, LATERAL ({_terms_sql("concat_ws(' ', courses.title, courses.description, array_to_string(courses.bullets, ' '))")})
        WHERE courses.status = 'active'
        GROUP BY course_id, term ORDER BY course_id, term"""),
]


def ensure_analyst_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create course_topics if missing, (re)create the views, (re)write every comment. Idempotent.

    Call it after warehouse.ddl.ensure_schema: the views read the courses table."""
    for obj in ANALYST_DDL:
        if obj.kind == "table":
            cols = ", ".join(f"{name} {spec.split(':', 1)[0]}" for name, spec in obj.columns)
            if obj.name == "course_topics":
                cols += ", PRIMARY KEY (course_id, topic)"
            from warehouse.ddl import upgrade_table

            upgrade_table(con, obj.name, cols, [(name, spec.split(":", 1)[0]) for name, spec in obj.columns])
            con.execute(f"CREATE TABLE IF NOT EXISTS {obj.name} ({cols})")
            con.execute(f"COMMENT ON TABLE {obj.name} IS {_lit(obj.comment)}")
            for name, spec in obj.columns:
                con.execute(f"COMMENT ON COLUMN {obj.name}.{name} IS {_lit(spec.split(':', 1)[1].strip())}")
        else:
            con.execute(f"CREATE OR REPLACE VIEW {obj.name} AS {obj.sql}")
            con.execute(f"COMMENT ON VIEW {obj.name} IS {_lit(obj.comment)}")
            for name, comment in obj.columns:
                con.execute(f"COMMENT ON COLUMN {obj.name}.{name} IS {_lit(comment)}")


def topic_rows(courses) -> list[dict]:
    """course_topics rows for grouping.variants.Course objects (or anything with course_id,
    title, series, description, bullets)."""
    rows = []
    for c in courses:
        for topic, rule in assign_topics(c.title, c.series, c.description or "", list(c.bullets or [])):
            rows.append({"course_id": c.course_id, "topic": topic, "rule": rule})
    return rows


# --------------------------------------------------------------------------------------
# Search


@dataclass(slots=True)
class Hit:
    score: float
    course_id: str
    provider: str
    series: str | None
    title: str | None
    description_start: str
    lengths: list[str]
    matched: list[str]


def query_terms(con: duckdb.DuckDBPyConnection, words: str) -> list[str]:
    """The search terms of a query, through the same tokeniser as the documents."""
    return [r[0] for r in con.execute(f"SELECT DISTINCT term FROM ({_terms_sql('$1::VARCHAR')}) ORDER BY term",
                                      [words]).fetchall()]


def search(con: duckdb.DuckDBPyConnection, words: str, limit: int = 10) -> list[Hit]:
    """Courses ranked by BM25 (k1=1.2, b=0.75) of the query's terms over title, description
    and bullets; ties by course id. Courses sharing no term with the query are left out."""
    doc_terms = f"""SELECT course_id, term, count(*) AS tf
        FROM courses, LATERAL ({_terms_sql("concat_ws(' ', courses.title, courses.description, array_to_string(courses.bullets, ' '))")})
        WHERE courses.status = 'active'
        GROUP BY ALL"""
    sql = f"""
    WITH terms AS ({doc_terms}),
    doclen AS (SELECT course_id, sum(tf) AS len FROM terms GROUP BY course_id),
    stats AS (SELECT (SELECT count(*) FROM courses WHERE status = 'active') AS n, avg(len) AS avgdl FROM doclen),
    q AS (SELECT DISTINCT term FROM ({_terms_sql('$1::VARCHAR')})),
    hits AS (SELECT t.* FROM terms t JOIN q USING (term)),
    df AS (SELECT term, count(*) AS df FROM hits GROUP BY term),
    scored AS (
        SELECT h.course_id,
               sum(ln(1 + (s.n - df.df + 0.5) / (df.df + 0.5))
                   * h.tf * ({BM25_K1} + 1) / (h.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * d.len / s.avgdl))) AS score,
               list(h.term ORDER BY h.term) AS matched
        FROM hits h JOIN df USING (term) JOIN doclen d USING (course_id) CROSS JOIN stats s
        GROUP BY h.course_id)
    SELECT round(s.score, 3), c.course_id, c.provider, c.series, c.title, left(c.description, 70), c.lengths, s.matched
    FROM scored s JOIN courses c USING (course_id)
    ORDER BY s.score DESC, c.course_id
    LIMIT $2"""
    return [Hit(*row) for row in con.execute(sql, [words, limit]).fetchall()]


# --------------------------------------------------------------------------------------
# Catalogue of the database: what export and the data dictionary walk.


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    """(name, 'table' | 'view', comment) of every table and view of the main schema, by name."""
    return con.execute("""
        SELECT table_name, 'table', comment FROM duckdb_tables()
        WHERE schema_name = 'main' AND NOT temporary AND database_name = current_database()
        UNION ALL
        SELECT view_name, 'view', comment FROM duckdb_views()
        WHERE schema_name = 'main' AND NOT internal AND NOT temporary AND database_name = current_database()
        ORDER BY 2, 1""").fetchall()


def relation_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str, str | None]]:
    return con.execute("""
        SELECT column_name, data_type, comment FROM duckdb_columns()
        WHERE schema_name = 'main' AND table_name = ? AND database_name = current_database()
        ORDER BY column_index""", [name]).fetchall()


EXPORT_FORMATS = {
    "parquet": ("parquet", "(FORMAT parquet)"),
    "csv": ("csv", "(FORMAT csv, HEADER true)"),
    "json": ("json", "(FORMAT json, ARRAY true)"),
}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def export(con: duckdb.DuckDBPyConnection, folder: Path, fmt: str) -> list[tuple[str, Path, int]]:
    """Write every table and view to `folder`/<name>.<fmt> (overwriting); returns (name, path, rows).

    json is one JSON array per file; csv has a header line and each list as a JSON array
    (warehouse/csvformat.py: the same as `courses query --format csv`)."""
    from warehouse.csvformat import csv_select

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"--format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
    ext, options = EXPORT_FORMATS[fmt]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, _, _ in relations(con):
        path = folder / f"{name}.{ext}"
        select = (csv_select([(c, t) for c, t, _ in relation_columns(con, name)], _ident(name)) if fmt == "csv"
                  else f"SELECT * FROM {_ident(name)}")
        con.execute(f"COPY ({select}) TO {_lit(str(path))} {options}")
        (n,) = con.execute(f"SELECT count(*) FROM {_ident(name)}").fetchone()
        written.append((name, path, n))
    return written


# --------------------------------------------------------------------------------------
# Data dictionary

DICTIONARY_HEADER = """# Data dictionary

Every table and view of the warehouse, with the comment the database itself carries
(`COMMENT ON`) and each column's type and comment. Generated from a database built from
`samples/`; do not edit by hand. Regenerate with:

```sh
.venv/bin/python tools/data_dictionary.py          # builds a sample database, writes this file
.venv/bin/courses dictionary --db courses.duckdb   # the same, read from any warehouse
```

Search: DuckDB's full-text extension (`fts`) is not part of the duckdb wheel and is downloaded
at run time by `INSTALL fts`, which this project cannot rely on (no network; the PyPI package
`duckdb-extension-fts` exists only up to 1.5.5 and DuckDB refuses an extension built for another
version). So `courses search` computes BM25 itself, in SQL, over the terms of `course_terms`.
"""


def _cell(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).replace("|", "\\|")


def data_dictionary(con: duckdb.DuckDBPyConnection) -> str:
    """The markdown of docs/data-dictionary.md, read from the database."""
    rels = relations(con)
    out = [DICTIONARY_HEADER]
    for kind, heading in (("table", "Tables"), ("view", "Views")):
        names = [r for r in rels if r[1] == kind]
        out.append(f"## {heading}\n")
        out.append(" · ".join(f"[`{n}`](#{n})" for n, _, _ in names) + "\n")
        for name, _, comment in names:
            out.append(f"### {name}\n")
            out.append(_cell(comment) + "\n")
            out.append("| column | type | comment |\n|---|---|---|")
            for col, typ, col_comment in relation_columns(con, name):
                out.append(f"| `{col}` | `{typ}` | {_cell(col_comment)} |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def missing_comments(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables, views and columns without a comment (empty list when all are documented)."""
    missing = []
    for name, kind, comment in relations(con):
        if not (comment or "").strip():
            missing.append(f"{kind} {name}")
        for col, _, col_comment in relation_columns(con, name):
            if not (col_comment or "").strip():
                missing.append(f"column {name}.{col}")
    return missing


__all__ = ["ANALYST_DDL", "AUDIENCE_RULES", "AUDIENCE_CATEGORIES", "RULES", "ensure_analyst_schema", "topic_rows",
           "search", "query_terms", "export", "relations",
           "relation_columns", "data_dictionary", "missing_comments"]
