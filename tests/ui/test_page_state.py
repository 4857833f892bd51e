"""The Job Management page's state classes besides the listing, over a real DuckDB history
and without a browser: JobOperations (what the actions do) and FilterPresets; the page's one
URL writer exists only where there is a URL."""

from __future__ import annotations

import pytest
from factories import add_config, add_job

from jobdash import JobQuery, NotFound, ValidationError
from jobdash.ui.page.manager import JobManager
from jobdash.ui.page.state import JobListing


@pytest.fixture
def listing(service) -> JobListing:
    """A listing over five jobs (ids 1-5; 2 and 4 failed) of one configuration."""
    config = add_config(service, "Hero banners")
    for i in range(1, 6):
        add_job(
            service,
            status="failed" if i % 2 == 0 else "completed",
            label=f"Lake {i}",
            config_id=config,
            error_message="timeout" if i % 2 == 0 else None,
        )
    return JobListing(service)


def test_operations_count_ids_and_the_jobs_a_query_matches(listing):
    operations = listing.operations
    assert operations.count(3) == 1 and operations.count([1, 2, 9]) == 3
    assert operations.count(JobQuery(statuses=["failed"], page=2, page_size=50)) == 2


def test_operations_export_rerun_delete_and_rename_change_the_history(listing, service):
    operations = listing.operations
    one, many = operations.export(2), operations.export(JobQuery(statuses=["failed"]))
    assert one.name == "JOB-000002.xlsx" and one.parent == service.export_dir and one.is_file()
    assert many.name.startswith("jobs-") and many.is_file()
    new, queue = operations.rerun([1, 3])
    assert len(new) == 2 and set(new) <= set(queue)
    assert operations.rename(5, "  Renamed  ") == service.jobs([5])["label"].iloc[0]
    assert operations.delete([4, 99]) == {4: "deleted", 99: "not_found"}
    assert service.jobs([4]).empty


def test_presets_save_apply_and_delete_and_refusals_change_nothing(listing):
    presets, query = listing.presets, listing.query
    assert presets.names == []
    query.statuses = ["failed"]
    presets.save("  Failures ", query)
    assert presets.names == ["Failures"] and presets.taken(" Failures")
    assert presets.filters("Failures", JobQuery())["statuses"] == ["failed"]
    with pytest.raises(ValidationError):
        presets.save("", query)
    with pytest.raises(NotFound):
        presets.delete("No such preset")
    presets.delete("Failures")
    assert presets.names == [] and not presets.taken("Failures")


def test_a_job_manager_outside_a_served_page_writes_no_url(service):
    assert JobManager(service).url is None
