"""Discord's limits on a modal (interaction response type 9) and on an autocomplete answer (type 8).

A modal: ``custom_id`` 1-100, ``title`` 1-45, 1-5 top-level components. Top level: a Label (type 18,
how discord.py 2.7 sends ``discord.ui.Label``) wrapping one input, a Text Display (10), or, deprecated,
an action row (1) holding one text input (how discord.py sends a bare ``TextInput``). Inputs: Text
Input (4), the selects (3, 5-8), File Upload (19), Radio Group (21), Checkbox Group (22), Checkbox (23).
Every ``custom_id`` is unique in the modal. A modal is only ever the first response to an interaction
(the callback route refuses a second response with 40060 before this is reached).
"""

from __future__ import annotations

from typing import Any

from .component_rules import (
    ACTION_ROW,
    CHECKBOX,
    CHECKBOX_GROUP,
    FILE_UPLOAD,
    LABEL,
    RADIO_GROUP,
    SELECTS,
    TEXT_DISPLAY,
    TEXT_INPUT,
    CustomIds,
    check_options,
    check_select,
    invalid_type,
)
from .form import Form

MAX_MODAL_COMPONENTS = 5
MAX_INPUT_VALUE = 4000
LABEL_INPUTS = (TEXT_INPUT, *SELECTS, FILE_UPLOAD, RADIO_GROUP, CHECKBOX_GROUP, CHECKBOX)
MAX_CHOICES = 25


def _check_text_input(form: Form, ids: CustomIds, path: str, comp: dict[str, Any], *, in_label: bool) -> None:
    ids.check(path, comp)
    if comp.get("style") not in (1, 2):
        form.add(f"{path}.style", "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.")
    # in a Label the Label carries the text (discord.py sends ``"label": null``); in a row it is required
    form.string(f"{path}.label", comp.get("label"), low=1, high=45, required=not in_label)
    form.string(f"{path}.placeholder", comp.get("placeholder"), high=100)
    form.string(f"{path}.value", comp.get("value"), high=MAX_INPUT_VALUE)
    form.number(f"{path}.min_length", comp.get("min_length"), low=0, high=MAX_INPUT_VALUE)
    form.number(f"{path}.max_length", comp.get("max_length"), low=1, high=MAX_INPUT_VALUE)


def _check_input(form: Form, ids: CustomIds, path: str, comp: dict[str, Any]) -> None:
    """The one component inside a Label."""
    ctype = comp.get("type")
    if ctype == TEXT_INPUT:
        _check_text_input(form, ids, path, comp, in_label=True)
    elif ctype in SELECTS:
        check_select(form, ids, path, comp)
    elif ctype == RADIO_GROUP:
        ids.check(path, comp)
        check_options(form, f"{path}.options", comp.get("options"), low=2, high=10)
    elif ctype == CHECKBOX_GROUP:
        ids.check(path, comp)
        form.number(f"{path}.min_values", comp.get("min_values"), low=0, high=10)
        form.number(f"{path}.max_values", comp.get("max_values"), low=1, high=10)
        check_options(form, f"{path}.options", comp.get("options"), low=1, high=10)
    elif ctype == FILE_UPLOAD:
        ids.check(path, comp)
        form.number(f"{path}.min_values", comp.get("min_values"), low=0, high=10)
        form.number(f"{path}.max_values", comp.get("max_values"), low=1, high=10)
    elif ctype == CHECKBOX:
        ids.check(path, comp)
    else:
        invalid_type(form, path, LABEL_INPUTS)


def check_modal(form: Form, data: dict[str, Any]) -> None:
    """The ``data`` of a type-9 (MODAL) interaction response; paths start with ``data.``."""
    form.string("data.custom_id", data.get("custom_id"), low=1, high=100, required=True)
    form.string("data.title", data.get("title"), low=1, high=45, required=True)
    ids = CustomIds(form)
    top = form.objects("data.components", data.get("components"), low=1, high=MAX_MODAL_COMPONENTS)
    for i, comp in enumerate(top):
        path = f"data.components.{i}"
        ctype = comp.get("type")
        if ctype == LABEL:
            form.string(f"{path}.label", comp.get("label"), low=1, high=45, required=True)
            form.string(f"{path}.description", comp.get("description"), low=1, high=100)
            if not isinstance(comp.get("component"), dict):
                form.required(f"{path}.component")
            else:
                _check_input(form, ids, f"{path}.component", comp["component"])
        elif ctype == ACTION_ROW:
            inner = form.objects(f"{path}.components", comp.get("components"), low=1, high=1)
            for j, child in enumerate(inner):
                if child.get("type") == TEXT_INPUT:
                    _check_text_input(form, ids, f"{path}.components.{j}", child, in_label=False)
                else:
                    invalid_type(form, f"{path}.components.{j}", (TEXT_INPUT,))
        elif ctype == TEXT_DISPLAY:
            form.string(f"{path}.content", comp.get("content"), low=1, high=4000, required=True)
        else:
            invalid_type(form, path, (ACTION_ROW, TEXT_DISPLAY, LABEL))


def check_autocomplete(form: Form, data: dict[str, Any]) -> None:
    """The ``data`` of a type-8 (autocomplete result) response: <= 25 choices, name 1-100, value <= 100."""
    choices = form.objects("data.choices", data.get("choices"), high=MAX_CHOICES)
    for i, choice in enumerate(choices):
        path = f"data.choices.{i}"
        form.string(f"{path}.name", choice.get("name"), low=1, high=100, required=True)
        value = choice.get("value")
        if value is None:
            form.required(f"{path}.value")
        elif isinstance(value, str):
            form.string(f"{path}.value", value, high=100)
