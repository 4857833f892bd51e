"""Text the history can store: DuckDB keeps strings as UTF-8, so a string UTF-8 cannot
encode (one holding half of a surrogate pair, as a mis-decoded file name or a broken paste
gives) is refused up front, naming the field, instead of failing inside the database."""

from __future__ import annotations

from .errors import ValidationError


def storable(field: str, text: str) -> str:
    """``text`` itself when UTF-8 can encode it; else :class:`ValidationError` naming
    ``field`` and where the offending character is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            f"{field}: character {exc.start + 1} (U+{ord(text[exc.start]):04X}, half of a "
            "surrogate pair) is not text that can be stored; retype it",
            field,
        ) from None
    return text
