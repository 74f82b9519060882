"""Collecting "Invalid Form Body" problems the way Discord reports them.

Discord checks a whole body and answers once: HTTP 400, code 50035, and an ``errors`` object nested
along each field's path (``embeds.0.fields.3.value``) whose leaves are
``{"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}``.
The codes and messages below are the ones Discord sends for its generic schema checks.
"""

from __future__ import annotations

from collections.abc import Sized
from typing import Any

from .errors import form_errors


class Form:
    """Problems found in one request body, keyed by dotted field path (first problem per path)."""

    def __init__(self) -> None:
        self.problems: dict[str, tuple[str, str]] = {}

    def add(self, path: str, code: str, message: str) -> None:
        self.problems.setdefault(path, (code, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise form_errors(self.problems)

    # --- strings ---------------------------------------------------------------------------------
    def string(self, path: str, value: Any, *, low: int = 0, high: int, required: bool = False) -> None:
        """A string field: absent (``None``) is fine unless ``required``; otherwise length in [low, high]."""
        if value is None:
            if required:
                self.required(path)
            return
        if not isinstance(value, str):
            self.add(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
            return
        if required and value == "" and low == 0:
            self.required(path)
        elif low and not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
        elif len(value) > high:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")

    def required(self, path: str) -> None:
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    # --- lists -----------------------------------------------------------------------------------
    def items(self, path: str, value: Any, *, low: int = 0, high: int) -> list[Any]:
        """A list field; returns its items (an empty list when absent or not a list)."""
        if value is None:
            if low:
                self.required(path)
            return []
        if not isinstance(value, list):
            self.add(path, "BASE_TYPE_LIST", "Must be a list.")
            return []
        self.count(path, value, low=low, high=high)
        return value

    def objects(self, path: str, value: Any, *, low: int = 0, high: int) -> list[dict[str, Any]]:
        """Like ``items`` for a list of objects (anything not an object reads as an empty one)."""
        return [as_dict(item) for item in self.items(path, value, low=low, high=high)]

    def count(self, path: str, value: Sized, *, low: int = 0, high: int) -> None:
        if low and not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
        elif len(value) > high:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")

    # --- numbers ---------------------------------------------------------------------------------
    def number(self, path: str, value: Any, *, low: int, high: int) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
        elif value < low:
            self.add(path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}.")
        elif value > high:
            self.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}.")


def as_dict(value: Any) -> dict[str, Any]:
    """A nested object, or an empty one when the field is absent or of the wrong type."""
    return value if isinstance(value, dict) else {}
