"""Modals and autocomplete answers Discord refuses, and a modal only as the first response."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .raw import Raw, form_error_codes


def text_input(custom_id: str = "about", **extra: Any) -> dict[str, Any]:
    return {"type": 4, "custom_id": custom_id, "style": 1, "label": None, "required": True, **extra}


def label(component: dict[str, Any], text: str = "About you") -> dict[str, Any]:
    return {"type": 18, "label": text, "component": component}


def legacy_row(component: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": [component]}


def modal(*components: dict[str, Any], title: str = "Tell us") -> dict[str, Any]:
    return {"custom_id": "form", "title": title, "components": list(components)}


def options(n: int) -> list[dict[str, str]]:
    return [{"label": f"Option {i}", "value": str(i)} for i in range(n)]


async def test_every_input_discord_py_can_send_is_accepted(raw: Raw) -> None:
    rec = await raw.interaction()
    data = modal(
        label(text_input(max_length=4000, min_length=0, placeholder="p" * 100, value="v" * 4000)),
        legacy_row(text_input("legacy", label="l" * 45)),
        label({"type": 3, "custom_id": "topic", "options": options(25), "placeholder": "p" * 150}, "Topic"),
        label({"type": 21, "custom_id": "rhythm", "options": options(10), "required": True}, "Rhythm"),
        label({"type": 22, "custom_id": "days", "options": options(10), "min_values": 0, "max_values": 10}, "Days"),
        title="t" * 45,
    )
    status, body = await raw.respond(rec, 9, data)
    assert status == 200, body
    assert rec.modal is not None and [c["type"] for c in rec.modal["components"]] == [18, 1, 18, 18, 18]
    checkbox = await raw.interaction()
    status, body = await raw.respond(
        checkbox, 9, modal({"type": 10, "content": "Sure?"}, label({"type": 23, "custom_id": "ok"}))
    )
    assert status == 200, body


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("title 46", modal(label(text_input()), title="t" * 46), "data.title", "BASE_TYPE_BAD_LENGTH"),
    ("no components", modal(), "data.components", "BASE_TYPE_BAD_LENGTH"),
    ("6 components", modal(*(label(text_input(f"i{i}")) for i in range(6))), "data.components", "BASE_TYPE_BAD_LENGTH"),
    ("Label text 46", modal(label(text_input(), "l" * 46)), "data.components.0.label", "BASE_TYPE_BAD_LENGTH"),
    (
        "row input label 46",
        modal(legacy_row(text_input(label="Check in: weekly, every 2 weeks, monthly, a day"))),
        "data.components.0.components.0.label",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "row input without label",
        modal(legacy_row(text_input())),
        "data.components.0.components.0.label",
        "BASE_TYPE_REQUIRED",
    ),
    (
        "placeholder 101",
        modal(label(text_input(placeholder="p" * 101))),
        "data.components.0.component.placeholder",
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "value 4001",
        modal(label(text_input(value="v" * 4001))),
        "data.components.0.component.value",
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "min_length 4001",
        modal(label(text_input(min_length=4001))),
        "data.components.0.component.min_length",
        "NUMBER_TYPE_MAX",
    ),
    (
        "max_length 4001",
        modal(label(text_input(max_length=4001))),
        "data.components.0.component.max_length",
        "NUMBER_TYPE_MAX",
    ),
    (
        "duplicate custom_id",
        modal(label(text_input("same")), label(text_input("same"))),
        "data.components.1.component.custom_id",
        "COMPONENT_CUSTOM_ID_DUPLICATED",
    ),
    (
        "custom_id 101",
        modal(label(text_input("c" * 101))),
        "data.components.0.component.custom_id",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "button in a modal",
        modal({"type": 2, "style": 1, "label": "x", "custom_id": "b"}),
        "data.components.0.type",
        "UNION_TYPE_CHOICES",
    ),
    (
        "button in a Label",
        modal(label({"type": 2, "style": 1, "label": "x", "custom_id": "b"})),
        "data.components.0.component.type",
        "UNION_TYPE_CHOICES",
    ),
    (
        "two inputs in a row",
        modal({"type": 1, "components": [text_input("a", label="A"), text_input("b", label="B")]}),
        "data.components.0.components",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "select 26 options",
        modal(label({"type": 3, "custom_id": "s", "options": options(26)})),
        "data.components.0.component.options",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "radio 1 option",
        modal(label({"type": 21, "custom_id": "r", "options": options(1)})),
        "data.components.0.component.options",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "checkboxes 11",
        modal(label({"type": 22, "custom_id": "c", "options": options(11)})),
        "data.components.0.component.options",
        "BASE_TYPE_BAD_LENGTH",
    ),
]


@pytest.mark.parametrize(("data", "path", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_modal_limits(raw: Raw, data: dict[str, Any], path: str, code: str) -> None:
    rec = await raw.interaction()
    assert code in form_error_codes(*await raw.respond(rec, 9, data), path)
    assert rec.modal is None and not rec.acknowledged


async def test_modal_only_as_the_first_response(raw: Raw) -> None:
    good = modal(label(text_input()))
    deferred = await raw.interaction()
    assert (await raw.respond(deferred, 5))[0] == 200
    status, body = await raw.respond(deferred, 9, good)
    assert (status, body["code"]) == (400, 40060)
    answered = await raw.interaction()
    assert (await raw.respond(answered, 4, {"content": "hi"}))[0] == 200
    assert (await raw.respond(answered, 9, good))[1]["code"] == 40060
    assert deferred.modal is None and answered.modal is None
    opened = await raw.interaction()
    assert (await raw.respond(opened, 9, good))[0] == 200
    submitted = await raw.sb.submit_modal(raw.alice, opened, {"about": "me"})
    assert form_error_codes(*await raw.respond(submitted, 9, good), "type") == ["INTERACTION_RESPONSE_TYPE_INVALID"]


CHOICE_CASES: list[tuple[str, list[dict[str, Any]], str, str]] = [
    ("26 choices", [{"name": str(i), "value": str(i)} for i in range(26)], "data.choices", "BASE_TYPE_MAX_LENGTH"),
    ("empty name", [{"name": "", "value": "v"}], "data.choices.0.name", "BASE_TYPE_BAD_LENGTH"),
    ("name 101", [{"name": "n" * 101, "value": "v"}], "data.choices.0.name", "BASE_TYPE_BAD_LENGTH"),
    ("value 101", [{"name": "n", "value": "v" * 101}], "data.choices.0.value", "BASE_TYPE_MAX_LENGTH"),
]


@pytest.mark.parametrize(("choices", "path", "code"), [c[1:] for c in CHOICE_CASES], ids=[c[0] for c in CHOICE_CASES])
async def test_autocomplete_limits(raw: Raw, choices: list[dict[str, Any]], path: str, code: str) -> None:
    sb = raw.sb
    seen = set(sb.interactions)
    asking = asyncio.create_task(sb.autocomplete(raw.guild, raw.alice, "ping", focused="query", value="x"))
    await asyncio.sleep(0)  # the helper dispatches the interaction before it first waits
    rec = sb.interactions[(set(sb.interactions) - seen).pop()]
    assert code in form_error_codes(*await raw.respond(rec, 8, {"choices": choices}), path)
    best = [{"name": "n" * 100, "value": "v" * 100}] * 25
    assert (await raw.respond(rec, 8, {"choices": best}))[0] == 200
    assert await asking == best
