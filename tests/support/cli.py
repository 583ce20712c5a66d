"""Run the real ``storywatch`` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    stdin: str | None = None,
) -> Result:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYWATCH_")}
    environ.update({"NO_COLOR": "1", "COLUMNS": "120", **(env or {})})
    done = subprocess.run(
        [sys.executable, "-m", "storywatch", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        env=environ,
        timeout=timeout,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)
