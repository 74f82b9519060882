"""A ``VARCHAR`` column that hands back a ``StrEnum`` member: typed in Python, the same text in the database."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import String, TypeDecorator
from sqlalchemy.engine import Dialect

E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """Stores ``enum_type(value).value`` (so a stray string is refused before it is written)."""

    impl = String
    cache_ok = True

    def __init__(self, enum_type: type[E], length: int, **kw: Any) -> None:
        super().__init__(length, **kw)
        self.enum_type = enum_type

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_type(value)
