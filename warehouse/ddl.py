"""Tables and views of the warehouse, each with the COMMENT an analyst reads."""
from __future__ import annotations

import duckdb

# (table, comment, [(column, type, comment)])
TABLES: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    ("runs", "One row per refresh run: when, how, and how it ended. Runs are never deleted.", [
        ("run_id", "VARCHAR", "Identifier of the run (UTC start time and a random suffix)."),
        ("started_at", "TIMESTAMPTZ", "When the run started."),
        ("finished_at", "TIMESTAMPTZ", "When the run finished."),
        ("status", "VARCHAR", "succeeded (every source loaded), partial (some sources failed and kept their previous data) or failed (nothing loaded)."),
        ("mode", "VARCHAR", "fetch (pages from the web), archive (pages replayed from an archive folder)."),
        ("sources", "VARCHAR[]", "Names of the sources the run was asked to read."),
        ("n_pages", "INTEGER", "Pages read in the run."),
        ("n_listings", "INTEGER", "Listings parsed in the run."),
        ("n_courses", "INTEGER", "Courses after grouping, over the sources loaded in the run."),
        ("message", "VARCHAR", "One line per failed source: the source, the URL and the cause; null when all went well."),
    ]),
    ("source_runs", "One row per (run, source): how each source fared in each run.", [
        ("run_id", "VARCHAR", "The run (runs.run_id)."),
        ("source", "VARCHAR", "Source name from the sources file, e.g. cupe-workshops."),
        ("status", "VARCHAR", "loaded, or failed (the source kept its previous data)."),
        ("n_pages", "INTEGER", "Pages read for the source."),
        ("n_listings", "INTEGER", "Listings parsed for the source."),
        ("n_block_errors", "INTEGER", "Blocks the parser could not read (see block_errors)."),
        ("message", "VARCHAR", "Why the source failed: the URL and the cause."),
    ]),
    ("pages", "One row per page read by a run: where it came from and where its raw copy is archived.", [
        ("run_id", "VARCHAR", "The run that read the page."),
        ("source", "VARCHAR", "Source name."),
        ("url", "VARCHAR", "URL of the page."),
        ("status_code", "INTEGER", "HTTP status of the answer (200; 304 when unchanged); null for a page replayed from an archive."),
        ("fetched_at", "TIMESTAMPTZ", "When the page was fetched."),
        ("content_hash", "VARCHAR", "SHA-256 of the page's bytes."),
        ("encoding", "VARCHAR", "Character set the page was decoded with."),
        ("content_type", "VARCHAR", "Content type of the page."),
        ("bytes", "BIGINT", "Size of the page in bytes."),
        ("etag", "VARCHAR", "ETag the server sent, for the next conditional request."),
        ("last_modified", "VARCHAR", "Last-Modified the server sent, for the next conditional request."),
        ("archive_path", "VARCHAR", "Where the raw page is kept in the archive folder."),
        ("n_listings", "INTEGER", "Listings parsed from the page."),
    ]),
    ("listings", "Current listings: one row per course block on a provider's page, as the last successful run of its source read it.", [
        ("listing_id", "VARCHAR", "Identifier of the listing: its source, page and position (a slot on a page, not a course)."),
        ("course_id", "VARCHAR", "The course the listing belongs to (courses.course_id)."),
        ("variant_id", "VARCHAR", "The variant (length, delivery) the listing belongs to (course_variants.variant_id)."),
        ("run_id", "VARCHAR", "The run that loaded the listing."),
        ("provider", "VARCHAR", "Union offering the course: CUPE or AUPE."),
        ("source", "VARCHAR", "Source name, e.g. cupe-workshops."),
        ("source_url", "VARCHAR", "URL of the page the listing was read from."),
        ("position", "INTEGER", "0-based position of the block on its page."),
        ("title", "VARCHAR", "Course title without length, programme prefix or delivery marker; null where the page gives none (CUPE text captures drop titles)."),
        ("title_as_written", "VARCHAR", "The title exactly as the page wrote it."),
        ("link", "VARCHAR", "URL of the course's own page, where the listing links to one."),
        ("series", "VARCHAR", "Programme or series, e.g. Steward Learning Series; null where none is given."),
        ("duration_text", "VARCHAR", "Length as written, e.g. '6 hours', '2 days'."),
        ("duration_value", "DOUBLE", "Number in the length (low end of a range)."),
        ("duration_value_max", "DOUBLE", "High end of a range ('2-3 hours' gives 3); equal to duration_value otherwise."),
        ("duration_unit", "VARCHAR", "Unit of the length: hour, day or week."),
        ("duration_hours", "DOUBLE", "Length in contact hours (a day is 7 hours, a week 5 days, for both unions; see sources/default.toml)."),
        ("duration_hours_max", "DOUBLE", "High end of the length in contact hours."),
        ("description", "VARCHAR", "Description as plain text; paragraphs separated by a blank line. Never HTML."),
        ("bullets", "VARCHAR[]", "Bullet points of the description, without their markers."),
        ("audience", "VARCHAR", "Who the course is for, from 'NOTE: This workshop is for ...' or 'This course is for: ...'."),
        ("notes", "VARCHAR[]", "Other notes: requirements ('LAPTOP REQUIRED'), pointers to other courses."),
        ("prerequisites", "VARCHAR", "Prerequisites as written."),
        ("delivery_mode", "VARCHAR", "in_person or online where the page says ('(OLS)', 'online only'); null where it does not."),
        ("availability", "VARCHAR", "Availability as written, e.g. 'Currently not available'; null where the page says nothing."),
        ("methods", "VARCHAR[]", "Teaching methods ('This course utilizes:')."),
        ("learning_outcomes", "VARCHAR[]", "Learning outcomes."),
    ]),
    ("courses", "Current courses: one row per course, its length variants grouped (the same workshop offered at 3, 6 and 9 hours is one course).", [
        ("course_id", "VARCHAR", "Stable identifier of the course, derived from provider, programme and the course's normalised title (or description where titles are missing); the same night after night."),
        ("provider", "VARCHAR", "Union offering the course: CUPE or AUPE."),
        ("source", "VARCHAR", "Source the course was read from."),
        ("title", "VARCHAR", "Course title; null where the page gives none."),
        ("series", "VARCHAR", "Programme or series; null where none is given."),
        ("description", "VARCHAR", "Description as plain text."),
        ("bullets", "VARCHAR[]", "Bullet points of the description."),
        ("audience", "VARCHAR", "Who the course is for."),
        ("key_kind", "VARCHAR", "What the course id was derived from: title or description."),
        ("lengths", "VARCHAR[]", "The lengths the course comes in, as written, shortest first."),
        ("min_hours", "DOUBLE", "Shortest length in contact hours."),
        ("max_hours", "DOUBLE", "Longest length in contact hours."),
        ("n_variants", "INTEGER", "Number of variants (length, delivery) of the course."),
        ("n_listings", "INTEGER", "Number of listings on the pages behind the course."),
        ("run_id", "VARCHAR", "The run that loaded the course."),
    ]),
    ("course_variants", "Current variants: one row per (course, length, delivery mode), with why it was grouped into its course.", [
        ("variant_id", "VARCHAR", "Stable identifier of the variant (course, length, delivery)."),
        ("course_id", "VARCHAR", "The course (courses.course_id)."),
        ("duration_text", "VARCHAR", "Length as written."),
        ("duration_hours", "DOUBLE", "Length in contact hours."),
        ("duration_hours_max", "DOUBLE", "High end of the length in contact hours."),
        ("delivery_mode", "VARCHAR", "in_person, online, or null where the page does not say."),
        ("join_reason", "VARCHAR", "Why the variant belongs to its course: only variant, same title, same description, or similar description (see join_score)."),
        ("join_score", "DOUBLE", "For 'similar description': how similar (0-100, rapidfuzz ratio) the text is to its nearest sibling."),
        ("n_listings", "INTEGER", "How many listings on the page stand behind the variant (identical listings collapse into one variant)."),
        ("run_id", "VARCHAR", "The run that loaded the variant."),
    ]),
    ("block_errors", "Blocks a parser could not read, kept for an operator: the page, the position, the raw text and the reason. Never silently dropped.", [
        ("run_id", "VARCHAR", "The run that met the block."),
        ("source", "VARCHAR", "Source name."),
        ("source_url", "VARCHAR", "URL of the page."),
        ("position", "INTEGER", "Position of the block on the page."),
        ("raw_text", "VARCHAR", "The block's text as read."),
        ("reason", "VARCHAR", "What the parser expected and did not find."),
    ]),
]

VIEWS: list[tuple[str, str, str]] = [
    ("multi_length_courses",
     "Courses offered in more than one length, with their lengths.",
     """SELECT c.course_id, c.provider, c.series, c.title,
               left(c.description, 80) AS description_start,
               c.lengths, c.min_hours, c.max_hours, c.n_variants
        FROM courses c
        WHERE (SELECT count(DISTINCT v.duration_hours) FROM course_variants v
               WHERE v.course_id = c.course_id) > 1
        ORDER BY c.provider, c.max_hours DESC, c.course_id"""),
]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create what is missing and (re)write every comment. Idempotent."""
    for table, comment, columns in TABLES:
        cols = ", ".join(f"{name} {typ}" for name, typ, _ in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
        con.execute(f"COMMENT ON TABLE {table} IS {_lit(comment)}")
        for name, _, col_comment in columns:
            con.execute(f"COMMENT ON COLUMN {table}.{name} IS {_lit(col_comment)}")
    for view, comment, sql in VIEWS:
        con.execute(f"CREATE OR REPLACE VIEW {view} AS {sql}")
        con.execute(f"COMMENT ON VIEW {view} IS {_lit(comment)}")


def _lit(text: str) -> str:
    # COMMENT ON takes a literal, not a parameter; the texts are ours, quotes doubled.
    return "'" + text.replace("'", "''") + "'"


def columns(table: str) -> list[str]:
    for name, _, cols in TABLES:
        if name == table:
            return [c[0] for c in cols]
    raise KeyError(table)
