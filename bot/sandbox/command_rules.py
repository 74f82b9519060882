"""Discord's rules for application command payloads (bulk overwrite, global and per guild).

Chat-input command and option names match ``^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`` and are
lowercase. The ``regex`` package is not installed, so the pattern is checked character by character:
``\\p{L}``/``\\p{N}`` exactly, with ``unicodedata.category`` (``L*``/``N*``); ``\\p{sc=Deva}`` and
``\\p{sc=Thai}`` approximately, as the Devanagari (U+0900-U+097F, U+A8E0-U+A8FF) and Thai
(U+0E00-U+0E7F) blocks. Descriptions are 1-100 characters; at most 25 options (or subcommands) a level
and 25 choices an option (name 1-100, string value <= 100); required options come before optional
ones; ``autocomplete`` never with ``choices``; and one command's name, description, option names and
descriptions and choice names and values come to at most 8,000 characters.

Leaf error codes for rules Discord documents but its schema does not carry (order, autocomplete with
choices, size) are the ones Discord is known to send where known, otherwise descriptive stand-ins.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from .form import Form, as_dict

CHAT_INPUT = 1
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, NUMBER = 1, 2, 3, 4, 10
MAX_OPTIONS = 25
MAX_CHOICES = 25
MAX_COMMAND_SIZE = 8000
_SCRIPT_BLOCKS = ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x0E00, 0x0E7F))  # Devanagari, Devanagari Ext., Thai


def _name_char(char: str) -> bool:
    if char in "-_" or unicodedata.category(char)[0] in "LN":
        return True
    return any(low <= ord(char) <= high for low, high in _SCRIPT_BLOCKS)


def valid_chat_name(name: object) -> bool:
    """A chat-input command or option name: the pattern above, and lowercase."""
    return isinstance(name, str) and 1 <= len(name) <= 32 and all(map(_name_char, name)) and name == name.lower()


def _invalid_name(form: Form, path: str) -> None:
    form.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")


def _text(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def command_size(command: dict[str, Any]) -> int:
    """The characters Discord counts toward a command's 8,000 (names, descriptions, choices)."""
    return _text(command.get("name")) + _text(command.get("description")) + _options_size(command.get("options"))


def _options_size(options: Any) -> int:
    total = 0
    for opt in (as_dict(item) for item in (options if isinstance(options, list) else [])):
        total += _text(opt.get("name")) + _text(opt.get("description")) + _options_size(opt.get("options"))
        for choice in (as_dict(item) for item in opt.get("choices") or []):
            total += _text(choice.get("name")) + len(str(choice.get("value", "")))
    return total


def _check_choices(form: Form, path: str, opt: dict[str, Any]) -> None:
    choices = form.objects(f"{path}.choices", opt.get("choices"), high=MAX_CHOICES)
    if choices and opt.get("autocomplete"):
        form.add(
            f"{path}.autocomplete",
            "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES",
            "Autocomplete cannot be set on an option that has choices",
        )
    for k, choice in enumerate(choices):
        form.string(f"{path}.choices.{k}.name", choice.get("name"), low=1, high=100, required=True)
        if isinstance(choice.get("value"), str):
            form.string(f"{path}.choices.{k}.value", choice.get("value"), high=100)


def _check_options(form: Form, prefix: str, raw: Any) -> None:
    options = form.objects(f"{prefix}options", raw, high=MAX_OPTIONS)
    names: set[str] = set()
    optional_seen = False
    for i, opt in enumerate(options):
        path = f"{prefix}options.{i}"
        name = opt.get("name")
        if not valid_chat_name(name):
            _invalid_name(form, f"{path}.name")
        elif name in names:
            form.add(f"{path}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
        names.add(str(name))
        form.string(f"{path}.description", opt.get("description"), low=1, high=100, required=True)
        otype = opt.get("type")
        if otype in (SUB_COMMAND, SUB_COMMAND_GROUP):
            _check_options(form, f"{path}.", opt.get("options"))
            continue
        if opt.get("required"):
            if optional_seen:
                form.add(
                    f"{prefix}options",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        if opt.get("autocomplete") and otype not in (STRING, INTEGER, NUMBER):
            form.add(
                f"{path}.autocomplete", "BASE_TYPE_CHOICES", "Autocomplete needs a string, integer or number option"
            )
        _check_choices(form, path, opt)
        form.number(f"{path}.min_length", opt.get("min_length"), low=0, high=6000)
        form.number(f"{path}.max_length", opt.get("max_length"), low=1, high=6000)


def check_commands(form: Form, body: list[Any]) -> None:
    """A bulk-overwrite body (a list of commands); paths start with the command's index."""
    seen: set[tuple[Any, Any]] = set()
    for i, raw in enumerate(body):
        cmd = as_dict(raw)
        ctype = cmd.get("type", CHAT_INPUT) or CHAT_INPUT
        name = cmd.get("name")
        if ctype == CHAT_INPUT:
            if not valid_chat_name(name):
                _invalid_name(form, f"{i}.name")
            form.string(f"{i}.description", cmd.get("description"), low=1, high=100, required=True)
            _check_options(form, f"{i}.", cmd.get("options"))
        else:
            form.string(f"{i}.name", name, low=1, high=32, required=True)
            if cmd.get("description"):
                form.add(f"{i}.description", "BASE_TYPE_MAX_LENGTH", "Must be 0 or fewer in length.")
        if (name, ctype) in seen:
            form.add(f"{i}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
        seen.add((name, ctype))
        if command_size(cmd) > MAX_COMMAND_SIZE:
            form.add(f"{i}", "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size ({MAX_COMMAND_SIZE})")
