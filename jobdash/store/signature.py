"""Error signatures: one SQL expression that reduces an error message to its cause.

``Generation timed out after 60s`` and ``Generation timed out after 45s`` share the signature
``Generation timed out after <n>s``. The rules run in DuckDB (``regexp_replace``, RE2 syntax),
so grouping a million messages never leaves the database. A job's signature is stored in
``job_executions.error_signature`` (:mod:`.derived`): the listing filter
``JobQuery.error_signature`` tests it and the failure analysis groups by it; QC reasons and
``signature_of`` apply the expression directly.
"""

from __future__ import annotations

NO_MESSAGE = "(no error message)"
MAX_LENGTH = 200

# (pattern, replacement), applied in this order. Earlier rules protect their matches from the
# later ones: a URL or a path is gone before its digits could become ``<n>``, and whole
# decimal numbers become ``<n>`` before the hex rule could mistake them for ids.
RULES: tuple[tuple[str, str], ...] = (
    # URLs: scheme://anything up to a space, quote or bracket.
    (r"(?i)\b[a-z][a-z0-9+.-]*://[^\s'\"<>()\[\]{}]+", "<url>"),
    # E-mail addresses.
    (r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "<email>"),
    # UUIDs.
    (r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<uuid>"),
    # ISO dates and timestamps (2026-11-01, 2026-11-01T09:00:00.123Z, ... +02:00), clock times.
    (
        r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
        r"|\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\b",
        "<time>",
    ),
    # Paths: absolute or home (/tmp/x.png, ~/out) at the start or after a separator; Windows
    # (C:\out); relative ones ending in a file name with an extension (out/2026/img_01.png);
    # bare file names of common types (img_003.webp, batch_7.csv).
    (
        r"(^|[\s'\"(\[=:,])~?/[^\s'\"<>()\[\],;:]+|\b[A-Za-z]:\\[^\s'\"<>|:]*"
        r"|\b[\w.-]*(?:/[\w.-]+)+\.[A-Za-z0-9]{1,5}\b"
        r"|\b[\w.-]+\.(?i:png|jpe?g|webp|gif|bmp|tiff?|avif|heic|svg|csv|tsv|json|ya?ml|xml|txt"
        r"|log|zip|parquet|duckdb|db|sqlite)\b",
        r"\1<path>",
    ),
    # Quoted values: 'x' (an opening quote follows no letter, so "can't" stays), "x", “x”, ‘x’.
    (r"(^|[^\w])'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’", r"\1<str>"),
    # Whole decimal numbers (12, 3.5, 12,000, 000123).
    (r"\b\d+(?:[.,]\d+)*\b", "<n>"),
    # Hex ids: 0x1f, or 8+ hex digits (deadbeef01, a sha prefix).
    (r"(?i)\b(?:0x[0-9a-f]+|[0-9a-f]{8,})\b", "<hex>"),
    # Digits left inside words (60s, v2, img_01).
    (r"\d+", "<n>"),
    # A token with two or more numbers in it is an id (req_<n>f<n>k -> <id>).
    (r"[\w-]*<n>[\w-]*<n>[\w<>-]*", "<id>"),
    # Runs of white space, tabs and newlines become one space.
    (r"\s\s+|[^\S ]", " "),
)


def _literal(text: str) -> str:
    """A SQL string literal of a constant of this module (never of user input)."""
    return "'" + text.replace("'", "''") + "'"


def signature_sql(expr: str, empty: str = NO_MESSAGE) -> str:
    """SQL expression for the signature of the text expression ``expr``.

    ``expr`` is SQL written in this package (a column such as ``j.error_message``), never
    user input; it appears twice in the result, so pass a column, not a ``?``. NULL or blank
    text gets ``empty``; signatures are cut to ``MAX_LENGTH`` characters."""
    sql = expr
    for pattern, replacement in RULES:
        sql = f"regexp_replace({sql}, {_literal(pattern)}, {_literal(replacement)}, 'g')"
    # Blank in, blank out: test the raw text (cheap) rather than the result, so that DuckDB
    # does not evaluate the chain of replacements twice.
    return (
        f"CASE WHEN coalesce(regexp_full_match({expr}, '\\s*'), TRUE) "
        f"THEN {_literal(empty)} ELSE left(trim({sql}), {MAX_LENGTH}) END"
    )


ERROR_SIGNATURE = signature_sql("j.error_message")
"""The signature of the error message of a job (alias ``j``)."""
