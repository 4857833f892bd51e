"""Runner writes to image rows after they were inserted: the finalised file paths."""

from __future__ import annotations

import duckdb


def set_file_paths(cur: duckdb.DuckDBPyConnection, paths: dict[int, str]) -> None:
    """Point image rows at their files' new places, inside a JobStore transaction."""
    if paths:
        cur.executemany("UPDATE generated_images SET file_path = ? WHERE id = ?",
                        [[path, image_id] for image_id, path in paths.items()])
