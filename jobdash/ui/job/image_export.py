"""Export of selected images of one job: a zip holding an Excel sheet of the images and
their files (missing files are listed in the workbook's summary, not an error)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd

from jobdash.export.excel import write_workbook
from jobdash.records import JobDetail
from jobdash.ui.job.gallery import file_exists
from jobdash.vocab import format_job_id


def selection_zip(detail: JobDetail, image_ids: list[int], root: Path) -> bytes:
    """``<JOB>-images.xlsx`` plus ``images/<file>`` for each selected image that exists."""
    chosen = detail.images[detail.images["id"].isin(image_ids)]
    name = format_job_id(detail.job["id"])
    present = [p for p in chosen["file_path"] if file_exists(root, p)]
    summary = {
        "Job": name,
        "Label": detail.job.get("label") or "",
        "Images selected": len(chosen),
        "Files included": len(present),
        "Files missing": len(chosen) - len(present),
    }
    jobs = pd.DataFrame([{k: v for k, v in detail.job.items() if not isinstance(v, dict)}])
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buffer, "w") as package:
        workbook = Path(tmp) / f"{name}-images.xlsx"
        write_workbook(workbook, summary, jobs, chosen)
        package.write(workbook, workbook.name)
        for relative in present:
            package.write(root / relative, f"images/{PurePosixPath(relative).name}")
    return buffer.getvalue()
