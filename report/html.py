"""Build the report page from a (read-only) warehouse connection."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

import duckdb

from topics import TOPICS

PROVIDER_COLOURS = {"AUPE": "#1b6ca8", "CUPE": "#c0392b"}
OTHER_COLOUR = "#7f8c8d"
MAX_CHANGE_ROWS = 200

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#1d2327;background:#fff;line-height:1.4}
h1{font-size:1.8rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:2px solid #e1e4e8;
padding-bottom:.2rem}.meta{color:#57606a;margin-top:0}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;
text-align:left;vertical-align:top}th{background:#f3f5f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:8px;padding:.8rem 1.2rem;
min-width:12rem}.card .big{font-size:2rem;font-weight:700}.AUPE{color:#1b6ca8}.CUPE{color:#c0392b}
.note{color:#57606a;font-size:.9rem}.empty{color:#57606a;font-style:italic}
.legend span{display:inline-block;width:.9rem;height:.9rem;margin:0 .3rem 0 1rem;vertical-align:middle}
"""


@dataclass
class ReportData:
    db_label: str
    last_run: tuple | None  # (run_id, started_at, finished_at, status)
    unions: list[tuple]  # (provider, courses, listings, variants)
    programmes: list[tuple]  # (provider, programme, courses, multi_length)
    topics: list[tuple]  # (topic, {provider: count})
    topics_source: str
    lengths: list[tuple]  # (hours or None, label, {provider: courses})
    multi: list[tuple]  # (provider, programme, name, lengths)
    changes: list[tuple] | None  # None: no course_changes view; else rows of the last run
    change_kinds: list[tuple] = field(default_factory=list)


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    (n,) = con.execute("""SELECT count(*) FROM (SELECT table_name AS n FROM duckdb_tables() WHERE schema_name = 'main'
                          UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'main') WHERE n = ?""",
                       [name]).fetchone()
    return n > 0


def _hours(h: float | None) -> str:
    if h is None:
        return "unknown"
    return f"{h:g}"


NAME_SQL = "coalesce(c.title, left(c.description, 60) || CASE WHEN length(c.description) > 60 THEN '…' ELSE '' END)"


def gather(con: duckdb.DuckDBPyConnection, db_label: str = "") -> ReportData:
    """Everything the page shows, read from the warehouse."""
    last_run = con.execute("SELECT run_id, started_at, finished_at, status FROM runs "
                           "ORDER BY started_at DESC, run_id DESC LIMIT 1").fetchone() if _exists(con, "runs") else None
    unions = con.execute("""SELECT c.provider, count(*), sum(c.n_listings)::BIGINT, sum(c.n_variants)::BIGINT
                            FROM courses c WHERE c.status = 'active' GROUP BY ALL ORDER BY c.provider""").fetchall()
    programmes = con.execute("""SELECT provider, coalesce(series, '(none)') AS programme, count(*) AS n,
                                       count(*) FILTER (WHERE len(lengths) > 1)
                                FROM courses WHERE status = 'active'
                                GROUP BY ALL ORDER BY provider, n DESC, programme""").fetchall()
    if _exists(con, "course_topics"):
        rows = con.execute("""SELECT t.topic, c.provider, count(*) FROM course_topics t JOIN courses c USING (course_id)
                              WHERE c.status = 'active' GROUP BY ALL""").fetchall()
        topics_source = "course_topics table"
    else:  # an older warehouse: place the courses now, by the same rules
        from warehouse.analyst import topic_rows

        from collections import Counter
        from types import SimpleNamespace

        courses = [SimpleNamespace(course_id=r[0], title=r[1], series=r[2], description=r[3], bullets=r[4], provider=r[5])
                   for r in con.execute("SELECT course_id, title, series, description, bullets, provider FROM courses "
                                        "WHERE status = 'active'")]
        prov = {c.course_id: c.provider for c in courses}
        counter = Counter((r["topic"], prov[r["course_id"]]) for r in topic_rows(courses))
        rows = [(t, p, n) for (t, p), n in counter.items()]
        topics_source = "computed at report time (the warehouse has no course_topics table)"
    by_topic: dict[str, dict[str, int]] = {t: {} for t in TOPICS}
    for topic, provider, n in rows:
        by_topic.setdefault(topic, {})[provider] = n
    lengths_rows = con.execute("""SELECT v.duration_hours, c.provider, count(DISTINCT v.course_id)
                                  FROM course_variants v JOIN courses c USING (course_id)
                                  WHERE c.status = 'active' GROUP BY ALL ORDER BY v.duration_hours NULLS LAST""").fetchall()
    lengths: dict[float | None, dict[str, int]] = {}
    for hours, provider, n in lengths_rows:
        lengths.setdefault(hours, {})[provider] = n
    multi = con.execute(f"""SELECT c.provider, coalesce(c.series, '(none)'), {NAME_SQL}, c.lengths FROM courses c
                            WHERE c.status = 'active' AND (SELECT count(DISTINCT v.duration_hours) FROM course_variants v
                                   WHERE v.course_id = c.course_id) > 1
                            ORDER BY c.provider, c.max_hours DESC, c.course_id""").fetchall()
    changes = None
    kinds: list[tuple] = []
    if _exists(con, "course_changes"):
        run_id = last_run[0] if last_run else None
        changes = con.execute(f"""SELECT ch.kind, ch.course_id, {NAME_SQL} AS name, ch.field,
                                         ch.old_value::VARCHAR, ch.new_value::VARCHAR
                                  FROM course_changes ch LEFT JOIN courses c USING (course_id)
                                  WHERE ch.run_id = ? ORDER BY ch.kind, ch.course_id, ch.field""", [run_id]).fetchall()
        kinds = con.execute("SELECT kind, count(*) FROM course_changes WHERE run_id = ? GROUP BY ALL ORDER BY kind",
                            [run_id]).fetchall()
    return ReportData(db_label=db_label, last_run=last_run, unions=unions, programmes=programmes,
                      topics=[(t, by_topic[t]) for t in by_topic], topics_source=topics_source,
                      lengths=[(h, _hours(h), d) for h, d in lengths.items()], multi=multi,
                      changes=changes, change_kinds=kinds)


def _num(metric: str, key: str, value: int, tag: str = "td", cls: str = "n") -> str:
    return (f'<{tag} class="{cls}" data-metric="{escape(metric)}" data-key="{escape(key)}">'
            f"{int(value)}</{tag}>")


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at least `raw` (axis ticks at round numbers)."""
    k = 1.0
    while k * 10 <= raw:
        k *= 10
    while k > raw and k > 1:
        k /= 10
    for m in (1, 2, 5, 10):
        if m * k >= raw:
            return m * k
    return 10 * k


def _chart(data: ReportData, providers: list[str]) -> str:
    """Grouped bar chart: courses offered at each length, one bar per union."""
    groups = data.lengths
    if not groups:
        return '<p class="empty">no lengths recorded</p>'
    width, height = 1000, 360
    left, right, top, bottom = 50, 20, 20, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    top_count = max((n for _, _, d in groups for n in d.values()), default=1) or 1
    step = _nice_step(top_count / 5)
    ticks = max(1, math.ceil(top_count / step))
    peak = step * ticks
    group_w = plot_w / len(groups)
    bar_w = min(40.0, group_w * 0.8 / max(1, len(providers)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-labelledby="chart-title">',
             '<title id="chart-title">Courses offered at each length, by union (contact hours)</title>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#57606a"/>']
    for tick in range(0, ticks + 1):
        value = step * tick
        y = top + plot_h - plot_h * value / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eaeef2"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#57606a">'
                     f'{value:.0f}</text>')
    for gi, (_, label, counts) in enumerate(groups):
        gx = left + gi * group_w + (group_w - bar_w * len(providers)) / 2
        for pi, provider in enumerate(providers):
            n = counts.get(provider, 0)
            h = plot_h * n / peak
            x = gx + pi * bar_w
            y = top + plot_h - h
            colour = PROVIDER_COLOURS.get(provider, OTHER_COLOUR)
            key = f"{provider}|{label}"
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{colour}">'
                         f'<title>{escape(provider)}: {n} courses at {escape(label)} hours</title></rect>')
            if n:
                parts.append(f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" '
                             f'data-metric="length-courses" data-key="{escape(key)}">{n}</text>')
        parts.append(f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{top + plot_h + 18}" font-size="12" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 12}" font-size="12" text-anchor="middle" '
                 f'fill="#57606a">length in contact hours (a day is 7 hours, a week 35)</text>')
    parts.append("</svg>")
    legend = "".join(f'<span style="background:{PROVIDER_COLOURS.get(p, OTHER_COLOUR)}"></span>{escape(p)}'
                     for p in providers)
    return f'<p class="legend">{legend}</p>' + "".join(parts)


def render(data: ReportData) -> str:
    providers = [u[0] for u in data.unions]
    h: list[str] = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                    '<meta name="viewport" content="width=device-width, initial-scale=1">',
                    "<title>Union course catalogue</title>", f"<style>{CSS}</style></head><body>",
                    "<h1>Union course catalogue</h1>"]
    if data.last_run:
        run_id, started, finished, status = data.last_run
        h.append(f'<p class="meta">Warehouse {escape(data.db_label)} · last run <code>{escape(str(run_id))}</code> '
                 f"({escape(str(status))}, finished {escape(str(finished or started))})</p>")
    else:
        h.append(f'<p class="meta">Warehouse {escape(data.db_label)} · no run recorded</p>')

    h.append("<h2>By union</h2>")
    if not data.unions:
        h.append('<p class="empty">no courses loaded</p>')
    h.append('<div class="cards">')
    for provider, courses, listings, variants in data.unions:
        h.append(f'<div class="card"><div class="{escape(provider)}"><strong>{escape(provider)}</strong></div>'
                 f'{_num("union-courses", provider, courses, "div", "big")}<div>courses</div>'
                 f'<div class="note">{int(variants)} length variants, {int(listings)} listings</div></div>')
    h.append("</div>")

    h.append("<h2>By programme</h2><table><thead><tr><th>union</th><th>programme</th><th>courses</th>"
             "<th>in several lengths</th></tr></thead><tbody>")
    for provider, programme, n, multi in data.programmes:
        key = f"{provider}|{programme}"
        h.append(f"<tr><td>{escape(provider)}</td><td>{escape(programme)}</td>{_num('programme-courses', key, n)}"
                 f"{_num('programme-multi-length', key, multi)}</tr>")
    h.append("</tbody></table>")

    h.append("<h2>By topic</h2>")
    h.append('<p class="note">Topics come from named keyword rules over programme, title and description '
             "(docs/topics.md); a course can have several, so the columns add up to more than the courses. "
             f"Source: {escape(data.topics_source)}.</p>")
    h.append("<table><thead><tr><th>topic</th>" + "".join(f"<th>{escape(p)}</th>" for p in providers)
             + "</tr></thead><tbody>")
    for topic, counts in data.topics:
        h.append(f"<tr><td>{escape(topic)}</td>"
                 + "".join(_num("topic-courses", f"{p}|{topic}", counts.get(p, 0)) for p in providers) + "</tr>")
    h.append("</tbody></table>")

    h.append("<h2>Lengths</h2><p class=\"note\">How many courses are offered at each length; a course that comes "
             "in three lengths counts once at each.</p>")
    h.append(_chart(data, providers))

    h.append(f"<h2>Courses with several lengths</h2><p>"
             f'{_num("multi-length-courses", "all", len(data.multi), "strong", "n")} courses come in more than one '
             "length.</p>")
    if data.multi:
        h.append("<table><thead><tr><th>union</th><th>programme</th><th>course</th><th>lengths</th></tr></thead><tbody>")
        for provider, programme, name, lengths in data.multi:
            h.append(f"<tr><td>{escape(provider)}</td><td>{escape(programme)}</td><td>{escape(name or '')}</td>"
                     f"<td>{escape(', '.join(lengths or []))}</td></tr>")
        h.append("</tbody></table>")

    h.append("<h2>Changes in the last run</h2>")
    if data.changes is None:
        h.append('<p class="empty" id="changes">no change history yet</p>')
    elif not data.changes:
        h.append('<p class="empty" id="changes">no changes in the last run</p>')
    else:
        h.append('<p id="changes">' + ", ".join(
            f'{_num("change-kind", str(kind), n, "strong", "n")} {escape(str(kind))}' for kind, n in data.change_kinds)
            + "</p>")
        h.append("<table><thead><tr><th>kind</th><th>course</th><th>field</th><th>old</th><th>new</th></tr></thead><tbody>")
        for kind, course_id, name, fld, old, new in data.changes[:MAX_CHANGE_ROWS]:
            h.append(f"<tr><td>{escape(str(kind))}</td><td>{escape(name or str(course_id))}</td>"
                     f"<td>{escape(str(fld or ''))}</td><td>{escape(str(old or ''))}</td><td>{escape(str(new or ''))}</td></tr>")
        h.append("</tbody></table>")
        if len(data.changes) > MAX_CHANGE_ROWS:
            h.append(f'<p class="note">{len(data.changes) - MAX_CHANGE_ROWS} more changes not shown; '
                     "query the course_changes view for all.</p>")
    h.append("</body></html>")
    return "\n".join(h) + "\n"


def build_report(con: duckdb.DuckDBPyConnection, db_label: str = "") -> str:
    """The report page, as one HTML string."""
    from report.sessions import sessions_section

    page = render(gather(con, db_label))
    return page.replace("</body></html>", sessions_section(con) + "\n</body></html>", 1)
