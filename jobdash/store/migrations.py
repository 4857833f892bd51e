"""Versioned schema migrations. Append new versions; never edit an applied one."""

from __future__ import annotations

from . import derived, label_rank
from .signature import NO_MESSAGE

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "initial schema",
        [
            """CREATE TABLE configurations (
                id BIGINT PRIMARY KEY,
                name VARCHAR NOT NULL,
                version INTEGER NOT NULL DEFAULT 1,
                settings JSON NOT NULL,
                created_at TIMESTAMP NOT NULL,
                updated_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE job_executions (
                id BIGINT PRIMARY KEY,
                label VARCHAR,
                status VARCHAR NOT NULL,
                configuration_id BIGINT,
                configuration_snapshot JSON,
                rerun_of BIGINT,
                queued_at TIMESTAMP,
                started_at TIMESTAMP,
                completed_at TIMESTAMP,
                progress INTEGER NOT NULL DEFAULT 0,
                current_step VARCHAR,
                total_images INTEGER NOT NULL DEFAULT 0,
                successful_images INTEGER NOT NULL DEFAULT 0,
                failed_images INTEGER NOT NULL DEFAULT 0,
                approved_images INTEGER NOT NULL DEFAULT 0,
                qc_failed_images INTEGER NOT NULL DEFAULT 0,
                error_message VARCHAR,
                error_step VARCHAR,
                updated_at TIMESTAMP
            )""",
            """CREATE TABLE generated_images (
                id BIGINT PRIMARY KEY,
                execution_id BIGINT NOT NULL,
                prompt VARCHAR,
                seed BIGINT,
                qc_status VARCHAR NOT NULL,
                qc_reason VARCHAR,
                file_path VARCHAR,
                thumbnail_path VARCHAR,
                width INTEGER,
                height INTEGER,
                format VARCHAR,
                quality_score DOUBLE,
                metadata JSON,
                created_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE job_events (
                id BIGINT PRIMARY KEY,
                execution_id BIGINT NOT NULL,
                "at" TIMESTAMP NOT NULL,
                level VARCHAR NOT NULL,
                step VARCHAR,
                sub_step VARCHAR,
                message VARCHAR NOT NULL,
                data JSON
            )""",
            """CREATE TABLE filter_presets (
                name VARCHAR PRIMARY KEY,
                query JSON NOT NULL,
                created_at TIMESTAMP NOT NULL
            )""",
        ],
    ),
    (
        2,
        "stored listing keys: label_key, error_signature, duration_ms, image QC counters",
        [
            "ALTER TABLE job_executions ADD COLUMN label_key VARCHAR",
            # a new job has no error message yet: the signature of none
            f"ALTER TABLE job_executions ADD COLUMN error_signature VARCHAR DEFAULT '{NO_MESSAGE}'",
            "ALTER TABLE job_executions ADD COLUMN duration_ms BIGINT",
            "ALTER TABLE job_executions ADD COLUMN pending_images INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE job_executions ADD COLUMN needs_review_images INTEGER NOT NULL DEFAULT 0",
            derived.backfill_sql(("label_key", "error_signature", "duration_ms")),
            derived.COUNT_IMAGES_SQL,
        ],
    ),
    (
        3,
        "stored search text of the error: error_key",
        [
            "ALTER TABLE job_executions ADD COLUMN error_key VARCHAR",
            derived.backfill_sql(("error_key",)),
        ],
    ),
    (
        4,
        "stored run date: run_at",
        [
            "ALTER TABLE job_executions ADD COLUMN run_at TIMESTAMP",
            derived.backfill_sql(("run_at",)),
        ],
    ),
    (
        5,
        "the label order as an integer: label_rank",
        [
            "ALTER TABLE job_executions ADD COLUMN label_rank BIGINT",
            label_rank.NUMBER_ALL.format(spacing=label_rank.SPACING),
        ],
    ),
    (
        6,
        "the highest id ever given per table: id_marks",
        [
            """CREATE TABLE id_marks (
                table_name VARCHAR PRIMARY KEY,
                last_id BIGINT NOT NULL
            )""",
            # Rows deleted before this migration leave no trace: the marks start at max(id).
            """INSERT INTO id_marks
                SELECT 'configurations', coalesce(max(id), 0) FROM configurations
                UNION ALL SELECT 'job_executions', coalesce(max(id), 0) FROM job_executions
                UNION ALL SELECT 'generated_images', coalesce(max(id), 0) FROM generated_images
                UNION ALL SELECT 'job_events', coalesce(max(id), 0) FROM job_events""",
        ],
    ),
    (
        7,
        "the processes that had the history open: open_sessions",
        [
            """CREATE TABLE open_sessions (
                id BIGINT PRIMARY KEY,
                pid INTEGER NOT NULL,
                opened_at TIMESTAMP
            )""",
            # Whether a process ended with the file open before this is not known: the
            # next open looks for what it may have left, once.
            "INSERT INTO open_sessions VALUES (0, 0, NULL)",
        ],
    ),
    (
        8,
        "sessions move to a file beside the database (opening writes nothing into it; see "
        "store/sessions.py)",
        ["DROP TABLE open_sessions"],
    ),
    (
        9,
        "where imported rows came from: import_sources, imported_rows (see store/imported.py)",
        [
            """CREATE TABLE IF NOT EXISTS import_sources (
                id INTEGER PRIMARY KEY,
                kind VARCHAR NOT NULL,
                location VARCHAR NOT NULL,
                first_imported_at TIMESTAMP NOT NULL,
                last_imported_at TIMESTAMP NOT NULL,
                UNIQUE (kind, location)
            )""",
            """CREATE TABLE IF NOT EXISTS imported_rows (
                source_id INTEGER NOT NULL,
                table_name VARCHAR NOT NULL,
                original_id BIGINT NOT NULL,
                id BIGINT NOT NULL,
                digest BIGINT NOT NULL,
                PRIMARY KEY (source_id, table_name, original_id)
            )""",
        ],
    ),
]

LATEST_VERSION = MIGRATIONS[-1][0]
