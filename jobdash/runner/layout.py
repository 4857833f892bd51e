"""The files the runner writes below the image root, as the sweep of crash leftovers
(:func:`jobdash.files.sweep_orphans`) recognises them: ``<job id>/img_0001.png``, its
thumbnail in ``<job id>/thumbs/``, approved images in ``<job id>/approved/``, and the hidden
``.part`` file each is written to first."""

from __future__ import annotations

import re

from ..files import Layout
from .pipeline import APPROVED_DIR
from .processing import EXTENSIONS, THUMBS_DIR, part_name

_IMAGE = rf"img_[0-9]{{4,}}\.(?:{'|'.join(sorted(EXTENSIONS))})"  # ImageSpec.stem + extension
_BEFORE, _AFTER = (re.escape(side) for side in part_name("\n").split("\n"))

RUNNER_FILES = Layout(
    subfolders=frozenset({THUMBS_DIR, APPROVED_DIR}),
    names=re.compile(rf"{_IMAGE}|{_BEFORE}{_IMAGE}{_AFTER}"),
)
"""Where the runner (and ``jobdash demo``, which lays files out the same way) writes."""
