"""Run ``tandem`` as an operator would: a subprocess with only the database and the keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tandem(database_url: str, command: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "TANDEM_"))}
    env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": database_url, **settings}
    return subprocess.run(
        [sys.executable, "-m", "bot", command], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def verify_audit(database_url: str, data_key: str) -> subprocess.CompletedProcess[str]:
    return tandem(database_url, "verify-audit", TANDEM_DATA_KEY=data_key)
