"""JobService and the HTTP client (JobClient) satisfy the JobBackend protocol the UI state
classes and the analysis type against: every member exists, with the same kind (method or
property), the same parameters (names, kinds, defaults, annotations) and the same return
annotation."""

from __future__ import annotations

import inspect

import pytest

from jobdash.client import JobClient
from jobdash.contract import JobBackend
from jobdash.service import JobService

MEMBERS = sorted(
    name
    for name in vars(JobBackend)
    if not name.startswith("_") and name not in ("__doc__", "__module__")
)


def signature(member: object) -> inspect.Signature:
    target = member.fget if isinstance(member, property) else member
    return inspect.signature(target)


def test_the_protocol_lists_what_the_ui_and_analysis_call():
    listed = [
        "apply_preset",
        "bulk_delete",
        "bulk_export",
        "bulk_rerun",
        "cancel",
        "changes_since",
        "configurations",
        "delete_preset",
        "duration_percentiles",
        "error_signatures",
        "export",
        "export_dir",
        "failure_rate",
        "feed_id",
        "get_all",
        "get_by_id",
        "has_runner",
        "image_root",
        "jobs",
        "presets",
        "qc_reasons",
        "qc_rejection_rate",
        "queue",
        "rename",
        "save_preset",
        "signature_daily_counts",
        "signature_of",
        "start",
        "statistics",
        "stop",
        "version",
    ]
    assert sorted(listed) == MEMBERS


@pytest.mark.parametrize("backend", [JobService, JobClient])
@pytest.mark.parametrize("name", MEMBERS)
def test_the_service_and_the_client_have_each_member_with_its_signature(backend, name):
    wanted = inspect.getattr_static(JobBackend, name)
    present = inspect.getattr_static(backend, name, None)
    assert present is not None, f"{backend.__name__} has no {name}"
    assert isinstance(present, property) == isinstance(wanted, property), name
    assert signature(present) == signature(wanted), name


def test_a_service_is_a_backend(service):
    assert isinstance(service, JobBackend)
    assert not isinstance(service.store, JobBackend)  # isinstance looks at the members
    assert service.has_runner is False
    assert service.image_root == service.settings.image_root
    assert service.export_dir == service.settings.export_dir
