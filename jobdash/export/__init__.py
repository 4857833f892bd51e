"""Exports of the job history: Excel workbooks (openpyxl)."""

from .excel import column_title, write_workbook

__all__ = ["column_title", "write_workbook"]
