"""The Panel UI: the Job Management page (``JobManager``), the Dashboard and the served app.

State lives in plain Parameterized classes (``jobdash.query.JobQuery``, ``state.Selection``,
``state.JobListing``); each component is a ``pn.viewable.Viewer`` over that state.
"""
