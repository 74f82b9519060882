"""Domain errors. Each carries one friendly sentence that the member or moderator is shown as is."""

from __future__ import annotations


class ConfigError(Exception):
    """A setting is missing or invalid; the message is one line meant for the operator."""


class TandemError(Exception):
    """A request that cannot be done; ``message`` says why and what to do, in one sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.answered = False  # set once the member has been told (the tree then does not answer again)


class InvalidInput(TandemError):
    """The member typed something we cannot accept; nothing was changed."""


class NotFound(TandemError):
    """What the command refers to does not exist (for this member)."""


class Conflict(TandemError):
    """The request clashes with the current state (already paired, blocked pair, ...)."""


class NotAllowed(TandemError):
    """The caller may not do this."""


class SetupNeeded(TandemError):
    """The server's program is not configured (enough) for this."""


class SpaceError(TandemError):
    """The private space could not be opened; ``moderator_hint`` is what to fix, for the log channel."""

    def __init__(self, message: str, moderator_hint: str) -> None:
        super().__init__(message)
        self.moderator_hint = moderator_hint


class MemberGone(SpaceError):
    """A member to be paired is no longer in the server (they left while the bot was away)."""

    def __init__(self, user_id: int) -> None:
        super().__init__(
            "One of the members is no longer in the server, so no pair was made.",
            "a member to be paired has left the server",
        )
        self.user_id = user_id


class DmFailed(Exception):
    """A DM that Discord refused for a reason other than closed DMs (it may work later): not delivered."""
