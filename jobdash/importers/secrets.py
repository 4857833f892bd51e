"""API keys never travel: sections named like ``apiKeys`` are dropped from every JSON value
an importer copies, wherever they stand, and the key strings found in them are redacted from
any other text it copies (an error message quoting a key, a prompt...)."""

from __future__ import annotations

import json
import re
from typing import Any

SECRET_NAME = re.compile(r"api[_-]?keys?", re.IGNORECASE)
"""Names of JSON members that hold keys (``apiKeys``, ``apiKey``, ``api_key``...)."""
MIN_LENGTH = 8
"""Shorter strings in a key section are redacted from nowhere else (they are no real key,
and "test" or "none" would be cut out of every prompt)."""
REDACTED = "[redacted]"


def may_hold_keys(text: str) -> bool:
    """Whether JSON text names a key section (if not, it has none to drop)."""
    return SECRET_NAME.search(text) is not None


class Secrets:
    """The keys of one import: learnt by :meth:`strip`, which drops them from JSON values,
    and cut out of text by :meth:`redact`. ``dropped`` counts the key values dropped,
    ``redacted`` the places they were cut out of other text."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.dropped = 0
        self.redacted = 0
        self._pattern: re.Pattern[str] | None = None

    def strip(self, value: Any) -> Any:
        """``value`` (parsed JSON) without its key sections, learning the keys in them."""
        if isinstance(value, dict):
            kept = {}
            for name, member in value.items():
                if isinstance(name, str) and SECRET_NAME.fullmatch(name):
                    self._keys_in(member)
                else:
                    kept[name] = self.strip(member)
            return kept
        if isinstance(value, list):
            return [self.strip(member) for member in value]
        return value

    def learn(self, value: Any) -> None:
        """Learn the keys in ``value`` (parsed JSON) without counting them: a first look,
        so they are cut out of every text written, even of rows read before them."""
        if isinstance(value, dict):
            for name, member in value.items():
                if isinstance(name, str) and SECRET_NAME.fullmatch(name):
                    self._keys_in(member, count=False)
                else:
                    self.learn(member)
        elif isinstance(value, list):
            for member in value:
                self.learn(member)

    def _keys_in(self, value: Any, count: bool = True) -> None:
        if isinstance(value, dict):
            for member in value.values():
                self._keys_in(member, count)
        elif isinstance(value, list):
            for member in value:
                self._keys_in(member, count)
        elif value not in (None, ""):
            self.dropped += count
            if isinstance(value, str) and len(value.strip()) >= MIN_LENGTH:
                self._add(value.strip())

    def _add(self, key: str) -> None:
        if key not in self.keys:
            self.keys.add(key)
            # as written, and as it reads inside JSON text (escaped)
            forms = sorted({key, json.dumps(key)[1:-1]}, key=len, reverse=True)
            known = [] if self._pattern is None else [self._pattern.pattern]
            self._pattern = re.compile("|".join([*known, *map(re.escape, forms)]))

    def redact(self, text: str | None) -> str | None:
        """``text`` with every known key cut out."""
        if text is None or self._pattern is None:
            return text
        redacted, n = self._pattern.subn(REDACTED, text)
        self.redacted += n
        return redacted
