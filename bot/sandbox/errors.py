"""Discord's JSON error bodies, with the real codes and messages.

See https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes
"""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """An error with Discord's shape: HTTP status, JSON code, message and nested form errors.

    Raised by REST handlers (turned into the JSON body Discord would send) and by test helpers
    when Discord would refuse the action (e.g. ``read_messages_as`` raises code 50001).
    """

    def __init__(self, code: int, message: str, status: int = 400, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} (code {code}): {message}")
        self.code = code
        self.message = message
        self.status = status
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def unauthorized() -> SandboxError:
    return SandboxError(0, "401: Unauthorized", 401)


def not_found() -> SandboxError:
    return SandboxError(0, "404: Not Found", 404)


def method_not_allowed() -> SandboxError:
    return SandboxError(0, "405: Method Not Allowed", 405)


def unknown_application() -> SandboxError:
    return SandboxError(10002, "Unknown Application", 404)


def unknown_channel() -> SandboxError:
    return SandboxError(10003, "Unknown Channel", 404)


def unknown_guild() -> SandboxError:
    return SandboxError(10004, "Unknown Guild", 404)


def unknown_member() -> SandboxError:
    return SandboxError(10007, "Unknown Member", 404)


def unknown_message() -> SandboxError:
    return SandboxError(10008, "Unknown Message", 404)


def unknown_overwrite() -> SandboxError:
    return SandboxError(10009, "Unknown Overwrite", 404)


def unknown_role() -> SandboxError:
    return SandboxError(10011, "Unknown Role", 404)


def unknown_user() -> SandboxError:
    return SandboxError(10013, "Unknown User", 404)


def unknown_webhook() -> SandboxError:
    return SandboxError(10015, "Unknown Webhook", 404)


def unknown_interaction() -> SandboxError:
    return SandboxError(10062, "Unknown interaction", 404)


def max_guild_channels() -> SandboxError:
    return SandboxError(30013, "Maximum number of guild channels reached (500)", 400)


def already_acknowledged() -> SandboxError:
    return SandboxError(40060, "Interaction has already been acknowledged", 400)


def missing_access() -> SandboxError:
    return SandboxError(50001, "Missing Access", 403)


def cannot_edit_others_message() -> SandboxError:
    return SandboxError(50005, "Cannot edit a message authored by another user", 403)


def empty_message() -> SandboxError:
    return SandboxError(50006, "Cannot send an empty message", 400)


def cannot_dm_user() -> SandboxError:
    return SandboxError(50007, "Cannot send messages to this user", 403)


def missing_permissions() -> SandboxError:
    return SandboxError(50013, "Missing Permissions", 403)


def thread_archived() -> SandboxError:
    return SandboxError(50083, "Thread is archived", 400)


def form_error(path: str, code: str, message: str) -> SandboxError:
    """50035 Invalid Form Body with ``errors`` nested along ``path`` (dotted, e.g. ``embeds.0``)."""
    return form_errors({path: (code, message)})


def form_errors(fields: dict[str, tuple[str, str]]) -> SandboxError:
    """50035 Invalid Form Body for several fields at once."""
    root: dict[str, Any] = {}
    for path, (code, message) in fields.items():
        node = root
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return SandboxError(50035, "Invalid Form Body", 400, root)


def category_full() -> SandboxError:
    """What Discord answers for a channel created in (or moved to) a category holding 50 channels.

    The public docs only state the limit of 50 channels per category; this body is the one
    Discord sends (a 50035 with ``CHANNEL_PARENT_MAX_CHANNELS`` on ``parent_id``).
    """
    return form_error("parent_id", "CHANNEL_PARENT_MAX_CHANNELS", "Maximum number of channels in category reached (50)")
