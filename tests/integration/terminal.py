"""A command in a pseudo-terminal, for interactive programs such as `rasa shell`, whose
prompts (prompt_toolkit) need a real terminal on both ends."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict, List

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\r")


class Terminal:
    """Runs ``command`` with a pseudo-terminal as stdin, stdout and stderr."""

    def __init__(self, command: List[str], cwd: Path, env: Dict[str, str]) -> None:
        controller, child = pty.openpty()
        self._fd = controller
        self._process = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env, TERM="xterm", COLUMNS="200", LINES="50"),
            stdin=child,
            stdout=child,
            stderr=child,
            start_new_session=True,
            close_fds=True,
        )
        os.close(child)
        self.screen = ""  # everything printed so far, without colour codes

    def expect(self, pattern: str, timeout: float, since: int = 0) -> re.Match:
        """Waits until the output from offset ``since`` on matches ``pattern``."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.compile(pattern, re.DOTALL).search(self.screen, since)
            if found:
                return found
            left = deadline - time.monotonic()
            if left <= 0 or self._process.poll() is not None and not self._readable(0):
                raise AssertionError(
                    f"no {pattern!r} after {timeout:.0f} s; the terminal shows:\n"
                    + self.screen[-3000:]
                )
            if self._readable(min(left, 0.5)):
                try:
                    chunk = os.read(self._fd, 65536)
                except OSError:  # the program closed the terminal
                    chunk = b""
                self.screen += ANSI.sub("", chunk.decode("utf-8", "replace"))

    def send(self, text: str) -> None:
        os.write(self._fd, text.encode())

    def close(self) -> None:
        if self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        os.close(self._fd)

    def _readable(self, timeout: float) -> bool:
        return bool(select.select([self._fd], [], [], timeout)[0])
