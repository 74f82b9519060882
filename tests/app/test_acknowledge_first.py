"""Acknowledge first, everywhere (issue 9): a static guard over every interaction handler in cogs/.

Discord drops an interaction not answered within 3 seconds (10062), and a database write or a message
send before the answer can take longer than that (a busy database, a slow message bucket). So every
slash command, button (persistent DynamicItems and view buttons) and modal handler must acknowledge
before anything else it awaits: ``ack(interaction)``, a deferral, or, where a form is the answer, the
modal itself as the first response.

The rule, walked over the AST (so it covers handlers no test happens to drive): in a handler's body,
statement by statement, every ``await`` up to the first unconditional acknowledgement must itself be an
answer (a refusal answered before a deferral, e.g. ``/peeradmin pair`` with a bot). Plain calls that
neither wait nor write (``guild_of``, parsing) may come first. The allowlist holds the few handlers
that must open a modal pre-filled, so they read quickly first (a modal cannot follow a deferral); they
never write before it. Autocomplete answers directly (it cannot defer) and only reads.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COGS = ROOT / "cogs"

# An answer: the first response to the interaction (or a follow-up once it is answered).
ACK_FUNCTIONS = {"ack", "reply", "send_error"}
ACK_RESPONSE_METHODS = {"defer", "send_modal", "send_message", "edit_message"}

# Read, then open a modal pre-filled: a modal must be the first response, so it cannot follow a deferral.
READ_THEN_MODAL = {
    # reads the pair's current agreement to pre-fill the form
    "cogs/checkins/views.py::AgreementButton.callback",
    # checks the presser belongs to the pair (a refusal otherwise), then opens the report form
    "cogs/safety/views.py::ReportButton.callback",
    # reads the current resources text to pre-fill the form
    "cogs/safety/admin_program.py::AdminProgramCommands.resources",
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    if isinstance(node, (ast.Call, ast.Subscript)):
        return _name(node.func if isinstance(node, ast.Call) else node.value)
    return ""


def _is_handler(cls: ast.ClassDef, fn: ast.AsyncFunctionDef) -> bool:
    """Slash commands (any group's ``.command``), view buttons, DynamicItem callbacks, modal submits."""
    bases = {_name(b).rsplit(".", 1)[-1] for b in cls.bases}
    decorators = [_name(d) for d in fn.decorator_list]
    if any(d.endswith(".command") or d.endswith("ui.button") for d in decorators):
        return True
    if fn.name == "callback" and "DynamicItem" in bases:
        return True
    return fn.name == "on_submit" and "Modal" in bases


def handlers(root: Path) -> Iterator[tuple[str, ast.AsyncFunctionDef]]:
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for fn in cls.body:
                if isinstance(fn, ast.AsyncFunctionDef) and _is_handler(cls, fn):
                    yield f"{path.relative_to(root.parent).as_posix()}::{cls.name}.{fn.name}", fn


def _awaits(node: ast.AST) -> Iterator[ast.Await]:
    """Awaits inside a statement, in source order, not descending into nested functions."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        yield from _awaits(child)
        if isinstance(child, ast.Await):
            yield child


def _is_ack(awaited: ast.Await) -> bool:
    call = awaited.value
    if not isinstance(call, ast.Call):
        return False
    name = _name(call.func)
    if name in ACK_FUNCTIONS:
        return True
    parts = name.split(".")
    return len(parts) >= 3 and parts[-2] == "response" and parts[-1] in ACK_RESPONSE_METHODS


def first_unacknowledged_await(fn: ast.AsyncFunctionDef) -> str | None:
    """The first call awaited before the handler has surely answered, or None when it answers first."""
    for stmt in fn.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Await) and _is_ack(stmt.value):
            return None  # answered unconditionally: anything may follow
        for awaited in _awaits(stmt):
            if not _is_ack(awaited):
                return f"line {awaited.lineno}: await {_name(awaited.value)}(…)"
    return "never acknowledges"


def violations(root: Path) -> list[str]:
    found = []
    for where, fn in handlers(root):
        if where in READ_THEN_MODAL:
            continue
        problem = first_unacknowledged_await(fn)
        if problem is not None:
            found.append(f"{where}: {problem}")
    return found


def test_the_walk_finds_every_kind_of_handler() -> None:
    names = {where for where, _ in handlers(COGS)}
    assert "cogs/checkins/goal.py::Goal.done" in names  # a slash command in a GroupCog
    assert "cogs/safety/admin_cases.py::AdminCaseCommands.resolve" in names  # a subgroup command (SAFETY)
    assert "cogs/safety/commands.py::PeerDataCommands.delete" in names  # a nested Group command
    assert "cogs/checkins/views.py::TellModeratorsButton.callback" in names  # a persistent DynamicItem
    assert "cogs/pairing/views.py::LeaveChoice.delete" in names  # a view button
    assert "cogs/safety/views.py::ReportModal.on_submit" in names  # a modal
    assert len(names) >= 50
    assert names >= READ_THEN_MODAL  # the allowlist names real handlers only


def test_every_handler_acknowledges_before_anything_else() -> None:
    assert violations(COGS) == []


def test_read_then_modal_handlers_open_their_modal_and_never_write_first() -> None:
    found = dict(handlers(COGS))
    for where in READ_THEN_MODAL:
        source = ast.unparse(found[where])
        assert "send_modal" in source, where
        awaited = [_name(a.value) for a in ast.walk(found[where]) if isinstance(a, ast.Await) and not _is_ack(a)]
        # each awaited call besides the answer is a read (or the error guard around it): never a write
        assert {a.rsplit(".", 1)[-1] for a in awaited} <= {"agreement", "pair_of_member", "resources", "guarded"}, (
            where,
            awaited,
        )


@pytest.mark.parametrize(
    "source",
    [
        "async def done(self, i):\n    view = await self.bot.goals.done(1, 2, 3)\n    await reply(i, 'x')",
        "async def f(self, interaction):\n    if x:\n        await self.bot.audit.record()\n    await ack(interaction)",
        "async def f(self, interaction):\n    await guarded(interaction, work())",
    ],
)
def test_the_rule_catches_a_handler_that_writes_first(source: str) -> None:
    fn = ast.parse(source).body[0]
    assert isinstance(fn, ast.AsyncFunctionDef)
    assert first_unacknowledged_await(fn) is not None


@pytest.mark.parametrize(
    "source",
    [
        "async def f(self, interaction):\n    guild = guild_of(interaction)\n    await ack(interaction)\n    await w()",
        "async def f(self, i):\n    if x:\n        await reply(i, 'n')\n        return\n    await i.response.defer()",
        "async def f(self, i, _b):\n    self.stop()\n    await i.response.edit_message(content='ok')",
    ],
)
def test_the_rule_accepts_answering_first(source: str) -> None:
    fn = ast.parse(source).body[0]
    assert isinstance(fn, ast.AsyncFunctionDef)
    assert first_unacknowledged_await(fn) is None
