"""Gen Image Factory files for tests: the desktop app's SQLite schema, filled row by row as
the app would, with real image files beside them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from PIL import Image

SCHEMA = """
CREATE TABLE IF NOT EXISTS job_configurations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE NOT NULL,
  settings TEXT NOT NULL,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS job_executions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  configuration_id INTEGER,
  started_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  completed_at TIMESTAMP,
  status VARCHAR(50) DEFAULT 'running',
  total_images INTEGER DEFAULT 0,
  successful_images INTEGER DEFAULT 0,
  failed_images INTEGER DEFAULT 0,
  error_message TEXT,
  label TEXT,
  configuration_snapshot TEXT,
  FOREIGN KEY (configuration_id) REFERENCES job_configurations(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_job_executions_configuration_id ON job_executions(configuration_id);
CREATE INDEX IF NOT EXISTS idx_job_executions_status ON job_executions(status);
CREATE INDEX IF NOT EXISTS idx_job_executions_started_at ON job_executions(started_at);
CREATE INDEX IF NOT EXISTS idx_job_executions_label ON job_executions(label);
CREATE TABLE IF NOT EXISTS generated_images (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  image_mapping_id VARCHAR(50) UNIQUE NOT NULL,
  execution_id INTEGER,
  generation_prompt TEXT NOT NULL,
  seed INTEGER,
  qc_status VARCHAR(20) DEFAULT 'failed',
  qc_reason TEXT,
  final_image_path VARCHAR(500),
  temp_image_path VARCHAR(500),
  metadata TEXT,
  processing_settings TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (execution_id) REFERENCES job_executions(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_generated_images_execution_id ON generated_images(execution_id);
CREATE INDEX IF NOT EXISTS idx_generated_images_image_mapping_id
  ON generated_images(image_mapping_id);
CREATE INDEX IF NOT EXISTS idx_generated_images_qc_status ON generated_images(qc_status);
CREATE INDEX IF NOT EXISTS idx_generated_images_created_at ON generated_images(created_at);
"""
"""The tables as the desktop app's models create them (src/database/models/*.js, v1.3)."""


def settings(label: str, key: str | None = None, **parameters: Any) -> dict:
    """The settings JSON of a configuration (with API keys, as the app keeps them)."""
    out: dict[str, Any] = {
        "filePaths": {"outputDirectory": "/home/u/gif/out", "tempDirectory": "/home/u/gif/tmp"},
        "parameters": {
            "label": label,
            "count": 2,
            "variations": 1,
            "runwareModel": "runware:101@1",
            "runwareDimensionsCsv": "1024x768",
            "runwareFormat": "png",
            **parameters,
        },
        "processing": {"removeBg": True, "imageConvert": False, "sharpening": 5},
        "ai": {"runQualityCheck": True, "runMetadataGen": True},
        "advanced": {"debugMode": False},
    }
    if key is not None:
        out["apiKeys"] = {"openai": key, "runware": key + "-rw", "removeBg": ""}
    return out


def png(path: Path, size: tuple[int, int] = (48, 32), colour: str = "teal") -> str:
    """A real PNG file at ``path``; its path as text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return str(path)


class GifFile:
    """A ``gen-image-factory.db`` being written (close it, or use it as a context manager)."""

    def __init__(self, path: Path):
        self.path = path
        self.con = sqlite3.connect(path)
        self.con.executescript(SCHEMA)

    def configuration(
        self, id: int, name: str, value: dict | str, created: Any = "2026-01-01 09:00:00"
    ) -> None:
        text = value if isinstance(value, str) else json.dumps(value)
        self.con.execute(
            "INSERT INTO job_configurations VALUES (?, ?, ?, ?, ?)",
            [id, name, text, created, created],
        )

    def job(
        self,
        id: int,
        configuration_id: int | None,
        started: Any,
        completed: Any,
        status: str,
        label: str | None,
        *,
        snapshot: dict | str | None = None,
        error: str | None = None,
        counts: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        text = snapshot if snapshot is None or isinstance(snapshot, str) else json.dumps(snapshot)
        self.con.execute(
            "INSERT INTO job_executions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [id, configuration_id, started, completed, status, *counts, error, label, text],
        )

    def image(
        self,
        id: int,
        execution_id: int | None,
        qc_status: str,
        *,
        reason: str | None = None,
        final: str | None = None,
        temp: str | None = None,
        metadata: dict | None = None,
        processing: dict | None = None,
        created: Any = "2026-01-01 10:01:00",
        prompt: str = "a cat on a sofa",
    ) -> None:
        self.con.execute(
            "INSERT INTO generated_images VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)",
            [
                id,
                f"map-{id}",
                execution_id,
                prompt,
                qc_status,
                reason,
                final,
                temp,
                None if metadata is None else json.dumps(metadata),
                None if processing is None else json.dumps(processing),
                created,
            ],
        )

    def execute(self, sql: str, params: list | tuple = ()) -> None:
        self.con.execute(sql, params)

    def close(self) -> None:
        self.con.commit()
        self.con.close()

    def __enter__(self) -> GifFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def two_jobs(folder: Path) -> Path:
    """A small ``gen-image-factory.db`` in ``folder``: a configuration, a completed job
    with an image at an absolute path, one at a path relative to the file's folder and one
    whose file is gone, and a failed job without images. Returns the file."""
    png(folder / "out" / "a.png")
    png(folder / "out" / "b.png", colour="red")
    with GifFile(folder / "gen-image-factory.db") as g:
        g.configuration(1, "Cats", settings("Cats"))
        g.job(1, 1, "2026-01-01 10:00:00", "2026-01-01 10:05:00", "completed", "Sent cats",
              counts=(3, 3, 0))  # fmt: skip
        g.job(2, 1, "2026-01-02 10:00:00", "2026-01-02 10:01:00", "failed", "Sent dogs",
              error="boom")  # fmt: skip
        g.image(1, 1, "approved", final=str(folder / "out" / "a.png"))
        g.image(2, 1, "approved", final="out/b.png")
        g.image(3, 1, "approved", final=str(folder / "out" / "gone.png"))
    return folder / "gen-image-factory.db"
