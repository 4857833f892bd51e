"""Exports of the job history: Excel workbooks (openpyxl), their Summary, and where they may
be written."""

from .excel import column_title, write_workbook
from .summary import Summary, job_summary
from .target import export_target

__all__ = ["Summary", "column_title", "export_target", "job_summary", "write_workbook"]
