"""Runner writes to image rows after they were inserted: the finalised file paths."""

from __future__ import annotations

from .store import Transaction


def set_file_paths(tx: Transaction, paths: dict[int, str]) -> None:
    """Point image rows at their files' new places (``{image id: path}``) inside a JobStore
    transaction."""
    if paths:
        tx._cur.executemany(
            "UPDATE generated_images SET file_path = ? WHERE id = ?",
            [[path, image_id] for image_id, path in paths.items()],
        )
