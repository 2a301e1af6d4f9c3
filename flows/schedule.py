"""The nightly schedule of the refresh, as a Prefect deployment."""
from __future__ import annotations

from prefect.schedules import Cron

from flows.refresh import refresh_flow

DEFAULT_CRON = "0 3 * * *"
DEFAULT_TIMEZONE = "America/Edmonton"


def nightly_deployment(*, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE,
                       db_path: str = "courses.duckdb", sources_file: str | None = None,
                       archive_dir: str = "archive", from_archive: str | None = None, name: str = "nightly"):
    """A RunnerDeployment of the refresh flow: serve it (`courses serve`) or deploy it to a work pool.

    With `from_archive` each scheduled run replays that folder of pages instead of fetching.
    """
    parameters = {"db_path": db_path, "archive_dir": archive_dir}
    if sources_file:
        parameters["sources_file"] = sources_file
    if from_archive:
        parameters["from_archive"] = from_archive
    return refresh_flow.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=parameters,
        description="Nightly refresh of the union course catalogue.",
        tags=["union-courses", "nightly"],
    )
