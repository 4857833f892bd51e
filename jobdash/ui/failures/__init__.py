"""The Failures view: failed jobs grouped by error signature (``FailuresPanel``)."""

from jobdash.ui.failures.view import FailuresPanel

__all__ = ["FailuresPanel"]
