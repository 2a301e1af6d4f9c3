"""The nightly schedule of the refresh, as a Prefect deployment."""
from __future__ import annotations

from prefect.schedules import Cron

from flows.refresh import refresh

DEFAULT_CRON = "0 3 * * *"
DEFAULT_TIMEZONE = "America/Edmonton"


def nightly_deployment(*, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE,
                       db_path: str = "courses.duckdb", sources_file: str | None = None,
                       archive_dir: str = "archive", name: str = "nightly"):
    """A RunnerDeployment of the refresh flow: serve it (`courses serve`) or deploy it to a work pool."""
    parameters = {"db_path": db_path, "archive_dir": archive_dir}
    if sources_file:
        parameters["sources_file"] = sources_file
    return refresh.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=parameters,
        description="Nightly refresh of the union course catalogue.",
        tags=["union-courses", "nightly"],
    )
