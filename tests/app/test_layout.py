"""The house by feature: every public module imports first in a fresh interpreter (no import cycle hides
behind another module's import order), and no production file grows past 400 lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ["bot.audit", "bot.pairing", "bot.matching", "bot.checkins", "bot.safety", "cogs.pairing", "bot.app.services"]


@pytest.mark.parametrize("module", PUBLIC)
def test_public_module_imports_first(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_no_production_file_over_400_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): n
        for folder in ("bot", "cogs")
        for path in (ROOT / folder).rglob("*.py")
        if "sandbox" not in path.parts and (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert too_long == {}
