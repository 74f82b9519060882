"""Discord's limits on message components (action rows, buttons, selects, and the layout components
of ``IS_COMPONENTS_V2`` messages), checked into a ``Form``.

Legacy layout: at most 5 action rows, each holding 1-5 buttons or exactly one select (a select is as
wide as the row: ``COMPONENT_LAYOUT_WIDTH_EXCEEDED``). Every ``custom_id`` is 1-100 characters and
unique in the message (``COMPONENT_CUSTOM_ID_DUPLICATED``). Component type numbers are discord.py 2.7's
``ComponentType``.
"""

from __future__ import annotations

from typing import Any

from .form import Form, as_dict

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT = 1, 2, 3, 4
USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT = 5, 6, 7, 8
SECTION, TEXT_DISPLAY, THUMBNAIL, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER = 9, 10, 11, 12, 13, 14, 17
LABEL, FILE_UPLOAD, RADIO_GROUP, CHECKBOX_GROUP, CHECKBOX = 18, 19, 21, 22, 23
SELECTS = (STRING_SELECT, USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT)
LINK_STYLE, PREMIUM_STYLE = 5, 6
MAX_ROWS = 5
MAX_ROW_WIDTH = 5
MAX_V2_COMPONENTS = 40
IS_COMPONENTS_V2 = 1 << 15


class CustomIds:
    """``custom_id``s seen in one message or modal; a repeat is refused."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.seen: set[str] = set()

    def check(self, path: str, component: dict[str, Any], *, required: bool = True) -> None:
        value = component.get("custom_id")
        self.form.string(f"{path}.custom_id", value, low=1, high=100, required=required)
        if isinstance(value, str) and value:
            if value in self.seen:
                self.form.add(
                    f"{path}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
                )
            self.seen.add(value)


def invalid_type(form: Form, path: str, allowed: tuple[int, ...]) -> None:
    choices = ", ".join(str(t) for t in allowed)
    form.add(f"{path}.type", "UNION_TYPE_CHOICES", f'Value of field "type" must be one of ({choices}).')


def check_options(form: Form, path: str, raw: Any, *, low: int, high: int) -> None:
    """Options of a string select, radio group or checkbox group: label/value 1-100, description 100."""
    for i, opt in enumerate(form.objects(path, raw, low=low, high=high)):
        form.string(f"{path}.{i}.label", opt.get("label"), low=1, high=100, required=True)
        form.string(f"{path}.{i}.value", opt.get("value"), low=1, high=100, required=True)
        form.string(f"{path}.{i}.description", opt.get("description"), high=100)


def check_select(form: Form, ids: CustomIds, path: str, comp: dict[str, Any]) -> None:
    ids.check(path, comp)
    form.string(f"{path}.placeholder", comp.get("placeholder"), high=150)
    form.number(f"{path}.min_values", comp.get("min_values"), low=0, high=25)
    form.number(f"{path}.max_values", comp.get("max_values"), low=1, high=25)
    if comp.get("type") == STRING_SELECT:
        check_options(form, f"{path}.options", comp.get("options"), low=1, high=25)
    else:
        form.items(f"{path}.default_values", comp.get("default_values"), high=25)


def check_button(form: Form, ids: CustomIds, path: str, comp: dict[str, Any]) -> None:
    style = comp.get("style")
    form.string(f"{path}.label", comp.get("label"), high=80)
    if style == LINK_STYLE:
        form.string(f"{path}.url", comp.get("url"), low=1, high=512, required=True)
        if comp.get("custom_id") is not None:
            form.add(
                f"{path}.custom_id", "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "A link button cannot have a custom id"
            )
    elif style != PREMIUM_STYLE:
        ids.check(path, comp)
    emoji = comp.get("emoji")
    if isinstance(emoji, dict):
        form.string(f"{path}.emoji.name", emoji.get("name"), high=32)


def _check_row(form: Form, ids: CustomIds, path: str, row: dict[str, Any]) -> None:
    children = form.objects(f"{path}.components", row.get("components"), low=1, high=MAX_ROW_WIDTH)
    width = 0
    for j, child in enumerate(children):
        cpath = f"{path}.components.{j}"
        ctype = child.get("type")
        if ctype == BUTTON:
            check_button(form, ids, cpath, child)
            width += 1
        elif ctype in SELECTS:
            check_select(form, ids, cpath, child)
            width += MAX_ROW_WIDTH
        else:
            invalid_type(form, cpath, (BUTTON, *SELECTS))
    if width > MAX_ROW_WIDTH:
        form.add(
            f"{path}.components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width"
        )


def _check_v2(form: Form, ids: CustomIds, path: str, comp: dict[str, Any], counter: list[int]) -> None:
    """A layout component of an ``IS_COMPONENTS_V2`` message, with its children."""
    counter[0] += 1
    ctype = comp.get("type")
    if ctype == ACTION_ROW:
        counter[0] += len(comp.get("components") or [])
        _check_row(form, ids, path, comp)
    elif ctype == TEXT_DISPLAY:
        form.string(f"{path}.content", comp.get("content"), low=1, high=4000, required=True)
    elif ctype == SECTION:
        for j, child in enumerate(form.objects(f"{path}.components", comp.get("components"), low=1, high=3)):
            _check_v2(form, ids, f"{path}.components.{j}", child, counter)
        accessory = as_dict(comp.get("accessory"))
        counter[0] += 1
        if accessory.get("type") == BUTTON:
            check_button(form, ids, f"{path}.accessory", accessory)
        elif accessory.get("type") == THUMBNAIL:
            form.string(f"{path}.accessory.description", accessory.get("description"), low=1, high=1024)
        else:
            invalid_type(form, f"{path}.accessory", (BUTTON, THUMBNAIL))
    elif ctype == CONTAINER:
        form.number(f"{path}.accent_color", comp.get("accent_color"), low=0, high=0xFFFFFF)
        for j, child in enumerate(form.objects(f"{path}.components", comp.get("components"), low=1, high=40)):
            _check_v2(form, ids, f"{path}.components.{j}", child, counter)
    elif ctype == MEDIA_GALLERY:
        for j, item in enumerate(form.objects(f"{path}.items", comp.get("items"), low=1, high=10)):
            form.string(f"{path}.items.{j}.description", item.get("description"), low=1, high=1024)
    elif ctype not in (THUMBNAIL, FILE, SEPARATOR):
        invalid_type(form, path, (ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER))


def check_message_components(form: Form, raw: Any, flags: int) -> None:
    """``components`` of a message create/edit body (channel message, DM, interaction, webhook)."""
    ids = CustomIds(form)
    if flags & IS_COMPONENTS_V2:
        counter = [0]
        for i, comp in enumerate(form.objects("components", raw, high=MAX_V2_COMPONENTS)):
            _check_v2(form, ids, f"components.{i}", comp, counter)
        if counter[0] > MAX_V2_COMPONENTS:
            form.add("components", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_V2_COMPONENTS} or fewer in length.")
        return
    for i, row in enumerate(form.objects("components", raw, high=MAX_ROWS)):
        if row.get("type") != ACTION_ROW:
            invalid_type(form, f"components.{i}", (ACTION_ROW,))
            continue
        _check_row(form, ids, f"components.{i}", row)
