"""The custom-id contract: ids already posted on Discord keep parsing, every id round-trips and fits."""

from __future__ import annotations

from typing import Any

import pytest

from bot.checkins.dispatcher import checkin_buttons, quiet_buttons
from bot.checkins.outbox import Action, ButtonSpec
from bot.discord import custom_ids as ids
from bot.discord.components import LOOKS, QUIET_LOOKS, rematch_view, spec_id, welcome_view
from cogs.checkins.views import DYNAMIC_ITEMS, AgreementButton, CheckinButton, QuietButton
from cogs.pairing.views import RematchButton
from cogs.safety.views import ReportButton, ReportModal, ResourcesModal

BIGGEST = 2**64 - 1  # the largest snowflake: 20 digits

# Formats as posted on Discord today: these literal strings must always parse to the same fields.
POSTED: list[tuple[str, ids.PersistentId]] = [
    ("tandem:rematch:123", ids.Rematch(123)),
    ("tandem:agree:123:45", ids.Agreement(123, 45)),
    ("tandem:checkin:123:45", ids.CheckIn(123, 45)),
    ("tandem:support:123", ids.Support(123)),
    ("tandem:tellmods:123", ids.TellModerators(123)),
    ("tandem:quiet:1:2:keep", ids.Quiet(1, 2, ids.QuietChoice.KEEP)),
    ("tandem:quiet:1:2:pause", ids.Quiet(1, 2, ids.QuietChoice.PAUSE)),
    ("tandem:quiet:1:2:rematch", ids.Quiet(1, 2, ids.QuietChoice.REMATCH)),
    ("tandem:report:45", ids.Report(45)),
    ("tandem:agree:1234567890123456789:98765", ids.Agreement(1234567890123456789, 98765)),
]


@pytest.mark.parametrize(("custom_id", "expected"), POSTED)
def test_ids_already_posted_parse(custom_id: str, expected: ids.PersistentId) -> None:
    assert type(expected).parse(custom_id) == expected
    assert ids.parse(custom_id) == expected
    assert expected.render() == custom_id == str(expected)


def every_kind(a: int, b: int) -> list[ids.PersistentId]:
    return [
        ids.Rematch(a),
        ids.Agreement(a, b),
        ids.CheckIn(a, b),
        ids.Support(a),
        ids.TellModerators(a),
        *(ids.Quiet(a, b, choice) for choice in ids.QuietChoice),
        ids.Report(b),
    ]


@pytest.mark.parametrize(("a", "b"), [(0, 0), (1, 2), (BIGGEST, BIGGEST), (BIGGEST, 1)])
def test_every_id_round_trips_within_discords_limit(a: int, b: int) -> None:
    made = every_kind(a, b)
    assert {type(x) for x in made} == set(ids.PERSISTENT)  # no kind is left untested
    for ref in made:
        text = ref.render()
        assert len(text) <= ids.MAX_LENGTH
        assert type(ref).parse(text) == ref
        assert ids.parse(text) == ref
        others = [kind for kind in ids.PERSISTENT if kind is not type(ref) and kind.parse(text) is not None]
        assert others == [], f"{text} is read by {others} too"


@pytest.mark.parametrize(
    "custom_id",
    [
        "tandem:agree:123",
        "tandem:agree:123:45:6",
        "tandem:agree:12a:45",
        "tandem:rematch:-1",
        "tandem:rematch:",
        "tandem:report:45x",
        "tandem:quiet:1:2:stop",
        "tandem:quiet:1:2:KEEP",
        "tandem:checkin:1",
        "tandem:report-modal:45",
        "other:report:45",
        " tandem:report:45",
    ],
)
def test_near_misses_are_not_ids(custom_id: str) -> None:
    assert ids.parse(custom_id) is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: ids.Rematch(-1),
        lambda: ids.Rematch(True),
        lambda: ids.Agreement(1, "2"),  # type: ignore[arg-type]
        lambda: ids.CheckIn(1.0, 2),  # type: ignore[arg-type]
        lambda: ids.Report(None),  # type: ignore[arg-type]
        lambda: ids.Quiet(1, 2, "later"),  # type: ignore[arg-type]
        lambda: ids.Support(10**100),  # fits no field Discord has, and the id would pass 100 characters
    ],
)
def test_wrong_fields_are_refused_when_an_id_is_made(make: Any) -> None:
    with pytest.raises(ids.CustomIdError):
        make()


def test_a_quiet_choice_given_as_text_becomes_the_choice() -> None:
    ref = ids.Quiet(1, 2, "pause")  # type: ignore[arg-type]
    assert ref.choice is ids.QuietChoice.PAUSE
    assert ref.render() == "tandem:quiet:1:2:pause"


def test_fixed_ids_fit_are_distinct_and_are_not_persistent_ones() -> None:
    assert ids.FIXED == ("tandem:leave:delete", "tandem:leave:keep", "tandem:data:erase", "tandem:data:keep")
    assert len(set(ids.FIXED)) == len(ids.FIXED)
    for custom_id in ids.FIXED:
        assert len(custom_id) <= ids.MAX_LENGTH
        assert ids.parse(custom_id) is None


def test_dynamic_items_are_declared_with_the_modules_templates() -> None:
    declared = {item.__discord_ui_compiled_template__.pattern for item in (*DYNAMIC_ITEMS, RematchButton, ReportButton)}
    assert declared == {kind.TEMPLATE for kind in ids.PERSISTENT}


@pytest.mark.parametrize(
    ("item", "custom_id", "fields"),
    [
        (AgreementButton, "tandem:agree:123:45", {"guild_id": 123, "pair_id": 45}),
        (CheckinButton, "tandem:checkin:123:45", {"guild_id": 123, "pair_id": 45}),
        (QuietButton, "tandem:quiet:1:2:rematch", {"guild_id": 1, "pair_id": 2, "choice": ids.QuietChoice.REMATCH}),
        (RematchButton, "tandem:rematch:123", {"guild_id": 123}),
        (ReportButton, "tandem:report:45", {"pair_id": 45}),
    ],
)
async def test_dynamic_items_answer_ids_already_posted(item: Any, custom_id: str, fields: dict[str, Any]) -> None:
    match = item.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None
    made = await item.from_custom_id(None, None, match)
    assert {name: getattr(made, name) for name in fields} == fields
    assert made.custom_id == custom_id  # the item it rebuilds carries the very same id


def test_services_describe_buttons_and_the_adapter_renders_todays_ids() -> None:
    rendered = [spec_id(spec).render() for spec in (*checkin_buttons(45, 123), *quiet_buttons(123, 45))]
    assert rendered == [
        "tandem:checkin:123:45",
        "tandem:support:123",
        "tandem:quiet:123:45:keep",
        "tandem:quiet:123:45:pause",
        "tandem:quiet:123:45:rematch",
    ]
    assert len({spec_id(ButtonSpec(action, 1, 2)) for action in Action}) == len(Action)


def test_every_persistent_button_has_a_label() -> None:
    assert set(LOOKS) | {ids.Quiet} == set(ids.PERSISTENT)
    assert set(QUIET_LOOKS) == set(ids.QuietChoice)
    assert all(0 < len(label) <= 80 for label, _style in (*LOOKS.values(), *QUIET_LOOKS.values()))


async def test_the_adapter_builds_the_welcome_and_rematch_buttons() -> None:
    welcome = welcome_view(123, 45)
    assert [(b.custom_id, b.label) for b in welcome.children] == [  # type: ignore[attr-defined]
        ("tandem:agree:123:45", "Our agreement"),
        ("tandem:report:45", "Something's wrong"),
    ]
    rematch = rematch_view(123)
    assert [(b.custom_id, b.label) for b in rematch.children] == [  # type: ignore[attr-defined]
        ("tandem:rematch:123", "Find me a new match")
    ]
    assert welcome.is_finished()  # the DynamicItems answer: discord.py keeps no copy per message


async def test_modals_get_a_fresh_custom_id_each_time_they_open() -> None:
    first, second = ReportModal(1, "button", 45), ReportModal(1, "button", 45)
    assert first.custom_id != second.custom_id
    assert not first.custom_id.startswith("tandem:")
    resources = ResourcesModal("call someone"), ResourcesModal("call someone")
    assert resources[0].custom_id != resources[1].custom_id
    assert not resources[0].custom_id.startswith("tandem:")
