"""Run ``tandem verify-audit`` as an operator would: a subprocess with only the database and the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def verify_audit(database_url: str, data_key: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "TANDEM_"))}
    env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": database_url}
    if data_key is not None:
        env["TANDEM_DATA_KEY"] = data_key
    return subprocess.run(
        [sys.executable, "-m", "bot", "verify-audit"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
