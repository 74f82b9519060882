"""The contract of every custom id the bot puts on a component: templates, building, parsing, validation.

Buttons already posted on Discord keep their custom id for as long as the message exists, so a format
here never changes: a new meaning gets a new prefix. Each persistent id is a frozen dataclass whose
fields are checked when it is made (non-negative integers, a known choice, at most 100 characters in
all); ``TEMPLATE`` is the regular expression a ``DynamicItem`` is declared with, ``from_match`` turns
its match back into the id, and ``parse`` reads a whole custom id (``None`` when it is not one).

Modals have no fixed custom id: discord.py keys an open modal by its custom id alone, so a fixed one
lets two members' forms cross. Only the text inputs inside a modal are named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Final, Self

from bot.checkins import QuietChoice

MAX_LENGTH: Final = 100  # Discord refuses a longer custom id
PREFIX: Final = "tandem"


class CustomIdError(ValueError):
    """A custom id that would not fit the contract (a programming error, never a member's doing)."""


def _number(name: str) -> str:
    return rf"(?P<{name}>[0-9]+)"


def _choice(name: str, choices: type[StrEnum]) -> str:
    return rf"(?P<{name}>{'|'.join(re.escape(c.value) for c in choices)})"


def _check_ids(*values: object) -> None:
    for value in values:
        if type(value) is not int or value < 0:
            raise CustomIdError(f"an id in a custom id must be a non-negative int, not {value!r}")


class PersistentId:
    """What every persistent custom id can do; subclasses are frozen dataclasses."""

    TEMPLATE: ClassVar[str]

    def render(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.render()

    def _validate(self) -> None:
        text = self.render()
        if len(text) > MAX_LENGTH:
            raise CustomIdError(f"a custom id is at most {MAX_LENGTH} characters ({len(text)} here)")

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        return re.compile(cls.TEMPLATE)  # re keeps its own cache of compiled patterns

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        raise NotImplementedError

    @classmethod
    def parse(cls, custom_id: str) -> Self | None:
        match = cls.pattern().fullmatch(custom_id)
        return cls.from_match(match) if match is not None else None


@dataclass(frozen=True)
class Rematch(PersistentId):
    """ "Find me a new match", in the DM that tells a member their pairing ended."""

    TEMPLATE: ClassVar[str] = rf"{PREFIX}:rematch:{_number('guild_id')}"
    guild_id: int

    def __post_init__(self) -> None:
        _check_ids(self.guild_id)
        self._validate()

    def render(self) -> str:
        return f"{PREFIX}:rematch:{self.guild_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["guild_id"]))


@dataclass(frozen=True)
class Agreement(PersistentId):
    """ "Our agreement", under a pair's welcome message."""

    TEMPLATE: ClassVar[str] = rf"{PREFIX}:agree:{_number('guild_id')}:{_number('pair_id')}"
    guild_id: int
    pair_id: int

    def __post_init__(self) -> None:
        _check_ids(self.guild_id, self.pair_id)
        self._validate()

    def render(self) -> str:
        return f"{PREFIX}:agree:{self.guild_id}:{self.pair_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["guild_id"]), int(match["pair_id"]))


@dataclass(frozen=True)
class CheckIn(PersistentId):
    """ "Check in", under a check-in prompt or a reminder (in the pair space or a DM)."""

    TEMPLATE: ClassVar[str] = rf"{PREFIX}:checkin:{_number('guild_id')}:{_number('pair_id')}"
    guild_id: int
    pair_id: int

    def __post_init__(self) -> None:
        _check_ids(self.guild_id, self.pair_id)
        self._validate()

    def render(self) -> str:
        return f"{PREFIX}:checkin:{self.guild_id}:{self.pair_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["guild_id"]), int(match["pair_id"]))


@dataclass(frozen=True)
class Support(PersistentId):
    """ "I could use support", under a check-in prompt."""

    TEMPLATE: ClassVar[str] = rf"{PREFIX}:support:{_number('guild_id')}"
    guild_id: int

    def __post_init__(self) -> None:
        _check_ids(self.guild_id)
        self._validate()

    def render(self) -> str:
        return f"{PREFIX}:support:{self.guild_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["guild_id"]))


@dataclass(frozen=True)
class TellModerators(PersistentId):
    """Offered with the support resources: tell the moderators I asked (status only)."""

    TEMPLATE: ClassVar[str] = rf"{PREFIX}:tellmods:{_number('guild_id')}"
    guild_id: int

    def __post_init__(self) -> None:
        _check_ids(self.guild_id)
        self._validate()

    def render(self) -> str:
        return f"{PREFIX}:tellmods:{self.guild_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["guild_id"]))


@dataclass(frozen=True)
class Quiet(PersistentId):
    """One answer to "your partner has gone quiet": keep waiting, pause, or a new match."""

    TEMPLATE: ClassVar[str] = (
        rf"{PREFIX}:quiet:{_number('guild_id')}:{_number('pair_id')}:{_choice('choice', QuietChoice)}"
    )
    guild_id: int
    pair_id: int
    choice: QuietChoice

    def __post_init__(self) -> None:
        _check_ids(self.guild_id, self.pair_id)
        if not isinstance(self.choice, QuietChoice):
            try:
                object.__setattr__(self, "choice", QuietChoice(self.choice))
            except ValueError:
                raise CustomIdError(f"{self.choice!r} is not a choice for a quiet partner") from None
        self._validate()

    def render(self) -> str:
        return f"{PREFIX}:quiet:{self.guild_id}:{self.pair_id}:{self.choice.value}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["guild_id"]), int(match["pair_id"]), QuietChoice(match["choice"]))


@dataclass(frozen=True)
class Report(PersistentId):
    """ "Something's wrong", under a pair's welcome message: a private report about that pair."""

    TEMPLATE: ClassVar[str] = rf"{PREFIX}:report:{_number('pair_id')}"
    pair_id: int

    def __post_init__(self) -> None:
        _check_ids(self.pair_id)
        self._validate()

    def render(self) -> str:
        return f"{PREFIX}:report:{self.pair_id}"

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["pair_id"]))


PERSISTENT: Final[tuple[type[PersistentId], ...]] = (
    Rematch,
    Agreement,
    CheckIn,
    Support,
    TellModerators,
    Quiet,
    Report,
)

# Fixed ids of the buttons on a member's own ephemeral question (answered while the view is alive).
LEAVE_DELETE: Final = f"{PREFIX}:leave:delete"
LEAVE_KEEP: Final = f"{PREFIX}:leave:keep"
DATA_ERASE: Final = f"{PREFIX}:data:erase"
DATA_KEEP: Final = f"{PREFIX}:data:keep"
FIXED: Final = (LEAVE_DELETE, LEAVE_KEEP, DATA_ERASE, DATA_KEEP)


def parse(custom_id: str) -> PersistentId | None:
    """Whichever persistent id this is, or ``None``."""
    for kind in PERSISTENT:
        found = kind.parse(custom_id)
        if found is not None:
            return found
    return None
