"""The key-check row: one known value encrypted under the data key, so a wrong key is caught at start."""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base
from bot.db.crypto import EncryptedText


class KeyCheck(Base):
    """One known value encrypted under the data key: a wrong key is caught at start, before any write."""

    __tablename__ = "key_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(EncryptedText)
