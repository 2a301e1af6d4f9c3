"""A start URL that redirects (cupe.ca <-> www.cupe.ca) is still fetched conditionally the next
night: the previous run's page is found by the URL asked for, not only where it ended."""
from __future__ import annotations

import duckdb
import pytest

from tests.conftest import empty_warehouse
from tests.localserver import LocalServer, Response, local_sources_file
from tests.test_flow import AUPE_PATH, CUPE_PATH, FAST
from tests.test_history import AUPE, V1, conditional, html
from flows.refresh import refresh

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


def test_a_redirected_start_url_is_conditional_and_unchanged_the_next_night(tmp_path):
    with LocalServer() as srv:
        srv.routes["/workshops-old"] = Response(status=301, headers={"Location": CUPE_PATH})
        srv.routes[CUPE_PATH] = conditional(V1, '"c1"')
        srv.routes[AUPE_PATH] = html(AUPE)
        sources = local_sources_file(tmp_path / "sources.toml", {"cupe-workshops": srv.url("/workshops-old"),
                                                                 "aupe-courses": srv.url(AUPE_PATH)})

        empty_warehouse(tmp_path / "c.duckdb")  # the session's empty warehouse, copied (no DDL run here)

        def night():
            s = refresh(db_path=str(tmp_path / "c.duckdb"), sources_file=str(sources),
                        archive_dir=str(tmp_path / "archive"), fetch_settings=FAST)
            assert s.ok, s.failures
            return s

        first = night()
        assert first.sources["cupe-workshops"]["status"] == "loaded"
        second = night()
        cupe_requests = [r for r in srv.requests if r.path == CUPE_PATH]
        final, asked = srv.url(CUPE_PATH), srv.url("/workshops-old")
    assert second.sources["cupe-workshops"]["status"] == "unchanged"
    assert cupe_requests[-1].headers.get("if-none-match") == '"c1"'
    con = duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True)
    assert con.execute("SELECT url, requested_url, status_code, unchanged FROM pages "
                       "WHERE run_id = ? AND source = 'cupe-workshops'", [second.run_id]).fetchall() == [
        (final, asked, 304, True)]
    con.close()
