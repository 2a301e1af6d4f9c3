"""Tables and views of the warehouse, each with the COMMENT an analyst reads."""
from __future__ import annotations

import duckdb

from schema.models import DeliveryMode, DurationUnit

# The values a column may hold, from the schema's enums: a bad load fails instead of storing nonsense.
_UNITS = ", ".join(f"'{u.value}'" for u in DurationUnit)
_MODES = ", ".join(f"'{m.value}'" for m in DeliveryMode)

# (table, comment, [(column, type and constraints, comment)])
TABLES: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    ("runs", "One row per refresh run: when, how, and how it ended. Runs are never deleted.", [
        ("run_id", "VARCHAR NOT NULL", "Identifier of the run (UTC start time and a random suffix)."),
        ("started_at", "TIMESTAMPTZ NOT NULL", "When the run started."),
        ("finished_at", "TIMESTAMPTZ", "When the run finished."),
        ("status", "VARCHAR NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed'))", "succeeded (every source loaded), partial (some sources failed and kept their previous data) or failed (nothing loaded)."),
        ("mode", "VARCHAR NOT NULL CHECK (mode IN ('fetch', 'archive', 'reparse'))", "fetch (pages from the web), archive (pages replayed from an archive folder)."),
        ("sources", "VARCHAR[]", "Names of the sources the run was asked to read."),
        ("n_pages", "INTEGER", "Pages read in the run."),
        ("n_listings", "INTEGER", "Listings parsed in the run."),
        ("n_courses", "INTEGER", "Courses after grouping, over the sources loaded in the run."),
        ("message", "VARCHAR", "One line per failed source: the source, the URL and the cause; null when all went well."),
    ]),
    ("source_runs", "One row per (run, source): how each source fared in each run.", [
        ("run_id", "VARCHAR NOT NULL", "The run (runs.run_id)."),
        ("source", "VARCHAR NOT NULL", "Source name from the sources file, e.g. cupe-workshops."),
        ("status", "VARCHAR NOT NULL CHECK (status IN ('loaded', 'unchanged', 'failed'))", "loaded; unchanged (every page as before: nothing parsed or loaded); or failed (the source kept its previous data)."),
        ("n_pages", "INTEGER", "Pages read for the source."),
        ("n_listings", "INTEGER", "Listings parsed for the source."),
        ("n_block_errors", "INTEGER", "Blocks the parser could not read (see block_errors)."),
        ("message", "VARCHAR", "Why the source failed: the URL and the cause."),
    ]),
    ("pages", "One row per page read by a run: where it came from and where its raw copy is archived.", [
        ("run_id", "VARCHAR NOT NULL", "The run that read the page."),
        ("source", "VARCHAR NOT NULL", "Source name."),
        ("url", "VARCHAR NOT NULL", "URL of the page (where the request ended, after any redirect)."),
        ("status_code", "INTEGER", "HTTP status of the answer (200; 304 when unchanged); null for a page replayed from an archive."),
        ("fetched_at", "TIMESTAMPTZ", "When the page was fetched."),
        ("content_hash", "VARCHAR", "SHA-256 of the page's bytes."),
        ("encoding", "VARCHAR", "Character set the page was decoded with."),
        ("content_type", "VARCHAR", "Content type of the page."),
        ("bytes", "BIGINT", "Size of the page in bytes."),
        ("etag", "VARCHAR", "ETag the server sent, for the next conditional request."),
        ("last_modified", "VARCHAR", "Last-Modified the server sent, for the next conditional request."),
        ("archive_path", "VARCHAR", "Where the raw page is kept in the archive folder."),
        ("n_listings", "INTEGER", "Listings parsed from the page; null when the page was unchanged and not parsed again."),
        ("requested_url", "VARCHAR", "URL the run asked for, where a redirect led elsewhere (url); the next run looks the page up by either."),
        ("unchanged", "BOOLEAN", "True when the page was the same as in the previous run (HTTP 304, or the same content hash), so it was not parsed or loaded again."),
        ("links", "VARCHAR[]", "The links the run followed from the page, absolute, in the order found (next pages of its listing, workshop and event pages); kept so that a later run that finds the page unchanged need not read it again to find them. Null where not recorded (a page replayed from an archive folder, or read by an older version)."),
        ("next_pages", "VARCHAR[]", "Those of links that continue the page's listing (its next pages), fetched before the pages it links to."),
        ("links_by", "VARCHAR", "The link rules that found links: the parser's link finder and a hash of its code. A later run uses the recorded links only when its own rules are the same; else it reads the page again."),
    ]),
    ("listings", "Current listings: one row per course block on a provider's page, as the last successful run of its source read it.", [
        ("listing_id", "VARCHAR NOT NULL", "Identifier of the listing, derived from its source and its content (title as written, programme, length, delivery, link, text, notes), with -2, -3... for repeats of an identical block: stable when other blocks are added, removed or moved. Where it sits on the page is in position."),
        ("course_id", "VARCHAR", "The course the listing belongs to (courses.course_id)."),
        ("variant_id", "VARCHAR", "The variant (length, delivery) the listing belongs to (course_variants.variant_id)."),
        ("provider", "VARCHAR NOT NULL", "Union offering the course: CUPE or AUPE."),
        ("source", "VARCHAR NOT NULL", "Source name, e.g. cupe-workshops."),
        ("source_url", "VARCHAR NOT NULL", "URL of the page the listing was read from."),
        ("position", "INTEGER NOT NULL CHECK (position >= 0)", "0-based position of the block on its page."),
        ("title", "VARCHAR", "Course title without length, programme prefix or delivery marker; null where the page gives none (CUPE text captures drop titles)."),
        ("title_as_written", "VARCHAR", "The title exactly as the page wrote it."),
        ("link", "VARCHAR", "URL of the course's own page, where the listing links to one."),
        ("series", "VARCHAR", "Programme or series, e.g. Steward Learning Series; null where none is given."),
        ("duration_text", "VARCHAR", "Length in canonical form, e.g. '6 hours', '2 days', '1 week' (what the page wrote is in duration_raw)."),
        ("duration_raw", "VARCHAR", "Length as the page wrote it, e.g. '1 weeks', '(2 days)'."),
        ("duration_value", "DOUBLE", "Number in the length (low end of a range)."),
        ("duration_value_max", "DOUBLE", "High end of a range ('2-3 hours' gives 3); equal to duration_value otherwise."),
        ("duration_unit", "VARCHAR CHECK (duration_unit IN (" + _UNITS + "))", "Unit of the length: hour, day or week."),
        ("duration_hours", "DOUBLE", "Length in contact hours (a day is 7 hours, a week 5 days, for both unions; see sources/default.toml)."),
        ("duration_hours_max", "DOUBLE", "High end of the length in contact hours."),
        ("description", "VARCHAR NOT NULL", "Description as plain text; paragraphs separated by a blank line. Never HTML."),
        ("bullets", "VARCHAR[]", "Bullet points of the description, without their markers."),
        ("audience", "VARCHAR", "Who the course is for, from 'NOTE: This workshop is for ...' or 'This course is for: ...'."),
        ("notes", "VARCHAR[]", "Other notes: requirements ('LAPTOP REQUIRED'), pointers to other courses."),
        ("prerequisites", "VARCHAR", "Prerequisites as written."),
        ("delivery_mode", "VARCHAR CHECK (delivery_mode IN (" + _MODES + "))", "in_person or online where the page says ('(OLS)', 'online only'); null where it does not."),
        ("availability", "VARCHAR", "Availability as written, e.g. 'Currently not available'; null where the page says nothing."),
        ("methods", "VARCHAR[]", "Teaching methods ('This course utilizes:')."),
        ("learning_outcomes", "VARCHAR[]", "Learning outcomes."),
        ("programmes", "VARCHAR[]", "Every programme the listing names, in page order (series is the first); delivery modes such as 'Online Learning Series' are in delivery_mode."),
        ("schedule_notes", "VARCHAR[]", "Scheduling lines with their labels, e.g. 'Registration: Through your local', 'Course Time: 9:00 – 4:30'."),
        ("school_id", "VARCHAR", "The school the listing is a course of (schools.school_id), for a school's page such as AUPE's Labour School; null otherwise."),
    ]),
    ("courses", "Every course ever seen: one row per course, its length variants grouped (the same workshop offered at 3, 6 and 9 hours is one course). Courses that left the catalogue stay, with status 'removed'. Earlier versions are in course_history.", [
        ("course_id", "VARCHAR NOT NULL", "Stable identifier of the course, derived from provider, programme and the course's normalised title (or description where titles are missing); the same night after night."),
        ("provider", "VARCHAR NOT NULL", "Union offering the course: CUPE or AUPE."),
        ("source", "VARCHAR NOT NULL", "Source the course was read from."),
        ("title", "VARCHAR", "Course title: the catalogue's, else the one its workshop page or its linked sessions give (see title_source); null where no page names the course."),
        ("series", "VARCHAR", "Programme or series; null where none is given."),
        ("description", "VARCHAR", "Description as plain text."),
        ("bullets", "VARCHAR[]", "Bullet points of the description."),
        ("audience", "VARCHAR", "Who the course is for."),
        ("key_kind", "VARCHAR NOT NULL CHECK (key_kind IN ('title', 'description', 'title and description'))", "What the course id was derived from: title, description, or title and description (one title naming several courses with different texts; docs/grouping.md)."),
        ("lengths", "VARCHAR[]", "The lengths the course comes in, as written, shortest first."),
        ("min_hours", "DOUBLE", "Shortest length in contact hours."),
        ("max_hours", "DOUBLE", "Longest length in contact hours."),
        ("n_variants", "INTEGER", "Number of variants (length, delivery) of the course."),
        ("n_listings", "INTEGER", "Number of listings on the pages behind the course."),
        ("status", "VARCHAR NOT NULL CHECK (status IN ('active', 'removed'))", "active (on the provider's pages in the last successful run of its source) or removed."),
        ("first_seen_run", "VARCHAR NOT NULL", "The run that first saw the course."),
        ("first_seen_at", "TIMESTAMPTZ", "When that run started."),
        ("removed_run", "VARCHAR", "The run that noticed the course had gone; null while it is active (a course that comes back is active again)."),
        ("content_hash", "VARCHAR", "Hash of the fields whose change makes a new version (title, series, description, bullets, audience, lengths)."),
        ("title_source", "VARCHAR CHECK (title_source IN ('catalogue', 'workshop page', 'event page', 'events listing'))", "Where title comes from: 'catalogue' (the catalogue's own), else 'workshop page' (the workshop's own page, linked from the catalogue), else 'event page' or 'events listing' (the one title the course's linked sessions agree on); null when no page names the course. course_history keeps the catalogue's titles only."),
        ("languages", "VARCHAR[]", "Languages the course is given in, from its workshop page (['English', 'French']); null where no page says."),
        ("workshop_url", "VARCHAR", "The course's own workshop page (workshop_pages.workshop_url), where its catalogue listing links to one."),
    ]),
    ("course_variants", "Variants: one row per (course, length, delivery mode), with why it was grouped into its course. A removed course keeps the variants it last had. Earlier versions are in variant_history.", [
        ("variant_id", "VARCHAR NOT NULL", "Stable identifier of the variant (course, length, delivery)."),
        ("course_id", "VARCHAR NOT NULL", "The course (courses.course_id)."),
        ("duration_text", "VARCHAR", "Length as written."),
        ("duration_hours", "DOUBLE", "Length in contact hours."),
        ("duration_hours_max", "DOUBLE", "High end of the length in contact hours."),
        ("delivery_mode", "VARCHAR CHECK (delivery_mode IN (" + _MODES + "))", "in_person, online, or null where the page does not say."),
        ("join_reason", "VARCHAR NOT NULL CHECK (join_reason IN ('only variant', 'same title', 'same description', 'similar description'))", "Why the variant belongs to its course: only variant, same title, same description, or similar description (see join_score)."),
        ("join_score", "DOUBLE", "For 'similar description': how similar (0-100, rapidfuzz ratio) the text is to its nearest sibling."),
        ("n_listings", "INTEGER NOT NULL CHECK (n_listings >= 1)", "How many listings on the page stand behind the variant (identical listings collapse into one variant)."),
        ("content_hash", "VARCHAR", "Hash of the fields whose change makes a new version of the variant."),
    ]),
    ("course_history", "Every version of every course: a new version starts when a course is added, comes back, or changes (title, series, description, bullets, audience, lengths); valid_to_run is null for the current version.", [
        ("course_id", "VARCHAR NOT NULL", "The course (courses.course_id)."),
        ("valid_from_run", "VARCHAR NOT NULL", "The run that saw this version first."),
        ("valid_from", "TIMESTAMPTZ", "When that run started."),
        ("valid_to_run", "VARCHAR", "The run that saw the version end (changed or removed); null while current."),
        ("valid_to", "TIMESTAMPTZ", "When that run started; null while current."),
        ("provider", "VARCHAR", "Union offering the course."),
        ("source", "VARCHAR", "Source the course was read from."),
        ("title", "VARCHAR", "Title in this version."),
        ("series", "VARCHAR", "Programme in this version."),
        ("description", "VARCHAR", "Description in this version."),
        ("bullets", "VARCHAR[]", "Bullet points in this version."),
        ("audience", "VARCHAR", "Audience in this version."),
        ("lengths", "VARCHAR[]", "Lengths the course came in, in this version."),
        ("min_hours", "DOUBLE", "Shortest length in contact hours, in this version."),
        ("max_hours", "DOUBLE", "Longest length in contact hours, in this version."),
        ("content_hash", "VARCHAR", "Hash of the version's fields."),
    ]),
    ("variant_history", "Every version of every variant (course, length, delivery): valid from the run that first saw it to the run that saw it go or change.", [
        ("variant_id", "VARCHAR NOT NULL", "The variant (course_variants.variant_id)."),
        ("course_id", "VARCHAR NOT NULL", "The course."),
        ("valid_from_run", "VARCHAR NOT NULL", "The run that saw this version first."),
        ("valid_from", "TIMESTAMPTZ", "When that run started."),
        ("valid_to_run", "VARCHAR", "The run that saw the version end; null while current."),
        ("valid_to", "TIMESTAMPTZ", "When that run started; null while current."),
        ("duration_text", "VARCHAR", "Length as written."),
        ("duration_hours", "DOUBLE", "Length in contact hours."),
        ("delivery_mode", "VARCHAR CHECK (delivery_mode IN (" + _MODES + "))", "in_person, online or null."),
        ("n_listings", "INTEGER", "Listings behind the variant in this version."),
        ("content_hash", "VARCHAR", "Hash of the version's fields."),
    ]),
    ("block_errors", "Blocks a parser could not read, kept for an operator: the page, the position, the raw text and the reason. Never silently dropped.", [
        ("run_id", "VARCHAR NOT NULL", "The run that met the block."),
        ("source", "VARCHAR NOT NULL", "Source name."),
        ("source_url", "VARCHAR", "URL of the page."),
        ("position", "INTEGER", "Position of the block on the page."),
        ("raw_text", "VARCHAR", "The block's text as read."),
        ("reason", "VARCHAR", "What the parser expected and did not find."),
    ]),
]

# Primary keys (the other constraints are in the column types above).
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "runs": ("run_id",),
    "source_runs": ("run_id", "source"),
    "listings": ("listing_id",),
    "courses": ("course_id",),
    "course_variants": ("variant_id",),
    "course_history": ("course_id", "valid_from_run"),
    "variant_history": ("variant_id", "valid_from_run"),
}

# Fields compared between two versions of a course, as SQL over a version alias {t}.
_CHANGE_FIELDS = {
    "title": "{t}.title",
    "series": "{t}.series",
    "description": "{t}.description",
    "bullets": "array_to_string({t}.bullets, ' | ')",
    "audience": "{t}.audience",
    "lengths": "array_to_string({t}.lengths, ', ')",
}
_CHANGED_VALUES = ", ".join(
    f"('{name}', {expr.format(t='prev')}, {expr.format(t='cur')})" for name, expr in _CHANGE_FIELDS.items()
)

VIEWS: list[tuple[str, str, str]] = [
    ("course_changes",
     "What changed, run by run: one row per (run, course, kind of change, field). kind is added (new, or back after removal), removed, or changed (then field names what changed, with its old and new value; a course that gains or loses a length changes its lengths).",
     f"""WITH v AS (SELECT * FROM course_history),
        added AS (
            SELECT cur.valid_from_run AS run_id, cur.course_id, 'added' AS kind, CAST(NULL AS VARCHAR) AS field,
                   CAST(NULL AS VARCHAR) AS old_value, CAST(NULL AS VARCHAR) AS new_value
            FROM v cur
            WHERE NOT EXISTS (SELECT 1 FROM v prev WHERE prev.course_id = cur.course_id
                              AND prev.valid_to_run = cur.valid_from_run)),
        removed AS (
            SELECT prev.valid_to_run, prev.course_id, 'removed', NULL, NULL, NULL
            FROM v prev
            WHERE prev.valid_to_run IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM v cur WHERE cur.course_id = prev.course_id
                              AND cur.valid_from_run = prev.valid_to_run)),
        changed AS (
            SELECT cur.valid_from_run, cur.course_id, 'changed', f.field, f.old_value, f.new_value
            FROM v cur
            JOIN v prev ON prev.course_id = cur.course_id AND prev.valid_to_run = cur.valid_from_run
            CROSS JOIN LATERAL (VALUES {_CHANGED_VALUES}) AS f(field, old_value, new_value)
            WHERE f.old_value IS DISTINCT FROM f.new_value)
        SELECT c.* FROM (SELECT * FROM added UNION ALL SELECT * FROM removed UNION ALL SELECT * FROM changed) c
        JOIN runs r USING (run_id)
        ORDER BY r.started_at, c.course_id, c.kind, c.field"""),
    ("last_run_changes",
     "What changed in the most recent run, with enough of each course to recognise it.",
     """SELECT c.run_id, c.course_id, k.provider, k.series, k.title,
               left(k.description, 80) AS description_start, c.kind, c.field, c.old_value, c.new_value
        FROM course_changes c JOIN courses k USING (course_id)
        WHERE c.run_id = (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1)
        ORDER BY c.kind, k.provider, c.course_id, c.field"""),
    ("course_lifecycle",
     "When each course was first and last seen: first_seen from the run that added it; last_seen is the last run that read its source successfully while the course was on the page.",
     """SELECT c.course_id, c.provider, c.title, c.status, c.first_seen_run, c.first_seen_at,
               ls.run_id AS last_seen_run, ls.started_at AS last_seen_at, c.removed_run
        FROM courses c
        LEFT JOIN LATERAL (
            SELECT sr.run_id, r.started_at FROM source_runs sr JOIN runs r USING (run_id)
            WHERE sr.source = c.source AND sr.status IN ('loaded', 'unchanged')
              AND (c.removed_run IS NULL
                   OR r.started_at < (SELECT started_at FROM runs WHERE run_id = c.removed_run))
            ORDER BY r.started_at DESC LIMIT 1) ls ON true"""),
    ("multi_length_courses",
     "Courses offered in more than one length, with their lengths.",
     """SELECT c.course_id, c.provider, c.series, c.title,
               left(c.description, 80) AS description_start,
               c.lengths, c.min_hours, c.max_hours, c.n_variants
        FROM courses c
        WHERE c.status = 'active' AND (SELECT count(DISTINCT v.duration_hours) FROM course_variants v
               WHERE v.course_id = c.course_id) > 1
        ORDER BY c.provider, c.max_hours DESC, c.course_id"""),
]


VIEW_COLUMNS: dict[str, dict[str, str]] = {
    "course_changes": {
        "run_id": "The run that saw the change (runs.run_id).",
        "course_id": "The course (courses.course_id).",
        "kind": "added (new, or back after removal), removed, or changed.",
        "field": "For changed: the field that changed (title, series, description, bullets, audience, lengths); null otherwise.",
        "old_value": "For changed: the value before the run.",
        "new_value": "For changed: the value after the run.",
    },
    "last_run_changes": {
        "run_id": "The most recent run.",
        "course_id": "The course (courses.course_id).",
        "provider": "Union offering the course.",
        "series": "Programme or series.",
        "title": "Course title; null where the page gives none.",
        "description_start": "The first 80 characters of the description.",
        "kind": "added, removed or changed.",
        "field": "For changed: the field that changed.",
        "old_value": "For changed: the value before the run.",
        "new_value": "For changed: the value after the run.",
    },
    "course_lifecycle": {
        "course_id": "The course.",
        "provider": "Union offering the course.",
        "title": "Course title; null where the page gives none.",
        "status": "active or removed.",
        "first_seen_run": "The run that first saw the course.",
        "first_seen_at": "When that run started.",
        "last_seen_run": "The last run that read the course's source successfully while the course was on the page.",
        "last_seen_at": "When that run started.",
        "removed_run": "The run that noticed the course had gone; null while active.",
    },
    "multi_length_courses": {
        "course_id": "The course.",
        "provider": "Union offering the course.",
        "series": "Programme or series.",
        "title": "Course title; null where the page gives none.",
        "description_start": "The first 80 characters of the description, to recognise an untitled course.",
        "lengths": "The lengths the course comes in, as written, shortest first.",
        "min_hours": "Shortest length in contact hours.",
        "max_hours": "Longest length in contact hours.",
        "n_variants": "Number of variants (length, delivery).",
    },
}


def _fingerprint() -> str:
    """A hash of every definition ensure_schema applies (tables, keys, views, comments)."""
    import hashlib

    from warehouse import news, prerequisites, schools, sessions, workshop_pages
    from warehouse.analyst import ANALYST_DDL

    text = repr((TABLES, PRIMARY_KEYS, VIEWS, VIEW_COLUMNS, ANALYST_DDL,
                 sessions.SESSION_COLUMNS, sessions.CHANGE_COLUMNS, sessions.VIEWS,
                 news.NEWS_TABLES, news.NEWS_VIEWS, schools.SCHOOLS, schools.VIEW,
                 prerequisites.TABLE, prerequisites.VIEW, workshop_pages.TABLE))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _applied(con: duckdb.DuckDBPyConnection) -> str | None:
    # The fingerprint of the definitions last applied, kept as a macro (not a table or view, so
    # it is in no export and no data dictionary).
    try:
        return con.execute("SELECT warehouse_definitions()").fetchone()[0]
    except duckdb.Error:
        return None


def definitions_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the file holds this version's definitions (no DDL needed)."""
    return _applied(con) == _fingerprint()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create what is missing and (re)write every comment. Idempotent. Skipped (its ~1,400
    statements cost about a second) when the file already holds these very definitions."""
    fingerprint = _fingerprint()
    if _applied(con) != fingerprint:
        _apply_definitions(con)
        con.execute(f"CREATE OR REPLACE MACRO warehouse_definitions() AS '{fingerprint}'")


def _apply_definitions(con: duckdb.DuckDBPyConnection) -> None:
    for table, comment, columns in TABLES:
        cols = ", ".join(f"{name} {typ}" for name, typ, _ in columns)
        if table in PRIMARY_KEYS:
            cols += f", PRIMARY KEY ({', '.join(PRIMARY_KEYS[table])})"
        upgrade_table(con, table, cols, [(name, typ) for name, typ, _ in columns])
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
        con.execute(f"COMMENT ON TABLE {table} IS {_lit(comment)}")
        for name, _, col_comment in columns:
            con.execute(f"COMMENT ON COLUMN {table}.{name} IS {_lit(col_comment)}")
    for view, comment, sql in VIEWS:
        con.execute(f"CREATE OR REPLACE VIEW {view} AS {sql}")
        con.execute(f"COMMENT ON VIEW {view} IS {_lit(comment)}")
        for column, col_comment in VIEW_COLUMNS[view].items():
            con.execute(f"COMMENT ON COLUMN {view}.{column} IS {_lit(col_comment)}")
    from warehouse.analyst import ensure_analyst_schema

    ensure_analyst_schema(con)
    from warehouse.sessions import ensure_session_schema

    ensure_session_schema(con)
    from warehouse.schools import ensure_schools_schema

    ensure_schools_schema(con)
    from warehouse.news import ensure_news_schema

    ensure_news_schema(con)
    from warehouse.prerequisites import ensure_prerequisites_schema

    ensure_prerequisites_schema(con)
    from warehouse.workshop_pages import ensure_workshop_pages_schema

    ensure_workshop_pages_schema(con)


def upgrade_table(con: duckdb.DuckDBPyConnection, table: str, cols_sql: str, columns: list[tuple[str, str]]) -> None:
    """Bring a table of an older warehouse up to date: add the columns it lacks, and rebuild it
    with its constraints where it has none (an older warehouse had no keys or checks). Rows that
    break a constraint make the load fail, and nothing is changed."""
    have = [c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
        "AND database_name = current_database() ORDER BY column_index", [table]).fetchall()]
    if not have:
        return
    constrained = con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE schema_name = 'main' AND table_name = ? "
        "AND database_name = current_database() AND constraint_type IN ('PRIMARY KEY', 'CHECK', 'NOT NULL')",
        [table]).fetchone()[0]
    if constrained:
        for name, typ in columns:
            if name not in have:
                con.execute(f"ALTER TABLE {table} ADD COLUMN {name} {_bare_type(typ)}")
        return
    common = ", ".join(n for n, _ in columns if n in have)
    con.execute(f"CREATE TABLE {table}__upgraded ({cols_sql})")
    con.execute(f"INSERT INTO {table}__upgraded ({common}) SELECT {common} FROM {table}")
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {table}__upgraded RENAME TO {table}")


def _bare_type(typ: str) -> str:
    """A column's type without its constraints (ALTER TABLE ADD COLUMN takes none)."""
    return typ.split(" NOT NULL")[0].split(" CHECK")[0]


def _lit(text: str) -> str:
    # COMMENT ON takes a literal, not a parameter; the texts are ours, quotes doubled.
    return "'" + text.replace("'", "''") + "'"


def create_table(con: duckdb.DuckDBPyConnection, table: str, comment: str,
                 columns: list[tuple[str, str, str]]) -> None:
    """CREATE TABLE IF NOT EXISTS with (name, type, comment) columns; add the columns an older
    warehouse's table lacks; (re)write its comments."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(f'{n} {t}' for n, t, _ in columns)})")
    for name, typ, _ in columns:
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {_bare_type(typ)}")
    con.execute(f"COMMENT ON TABLE {table} IS {_lit(comment)}")
    for name, _, text in columns:
        con.execute(f"COMMENT ON COLUMN {table}.{name} IS {_lit(text)}")


def create_view(con: duckdb.DuckDBPyConnection, view: str, comment: str, columns: dict[str, str], sql: str) -> None:
    """CREATE OR REPLACE VIEW; (re)write its comment and its columns' comments."""
    con.execute(f"CREATE OR REPLACE VIEW {view} AS {sql}")
    con.execute(f"COMMENT ON VIEW {view} IS {_lit(comment)}")
    for name, text in columns.items():
        con.execute(f"COMMENT ON COLUMN {view}.{name} IS {_lit(text)}")


def columns(table: str) -> list[str]:
    for name, _, cols in TABLES:
        if name == table:
            return [c[0] for c in cols]
    raise KeyError(table)
