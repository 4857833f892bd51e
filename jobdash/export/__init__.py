"""Exports of the job history: Excel workbooks (openpyxl), and where they may be written."""

from .excel import column_title, write_workbook
from .target import export_target

__all__ = ["column_title", "export_target", "write_workbook"]
