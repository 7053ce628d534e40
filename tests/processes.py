"""Processes started together: each imports what it needs, says it is ready and waits at a
barrier (a line on its stdin), and all are released at once, so the parts that race overlap
instead of depending on how long each took to import."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT

# Holds a database's reload lock until its stdin closes.
HOLD = ("import sys; from bot.store.reload_lock import ReloadLock; lock = ReloadLock(sys.argv[1]); "
        "assert lock.try_acquire(); print('held', flush=True); sys.stdin.read()")
# The command line, run after the barrier.
BOT = ("import sys; from bot.faces.cli import main; print('ready', flush=True); "
       "sys.stdin.readline(); main(args=sys.argv[1:], prog_name='bot')")


class Child:
    """One process waiting at, or past, the barrier."""

    def __init__(self, code: str, args: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)

    def wait_ready(self) -> None:
        """Return once the process has imported everything and waits at the barrier."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if line != "ready\n":
            _, err = self.process.communicate(timeout=60)
            raise AssertionError(f"did not get ready ({line!r}): {err}")

    def release(self, stdin: str = "") -> None:
        """Let it past the barrier, with more input after the barrier's line."""
        assert self.process.stdin is not None
        self.process.stdin.write("go\n" + stdin)
        self.process.stdin.flush()

    def wait_done(self, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Its exit status and what it printed after the barrier."""
        out, err = self.process.communicate(timeout=timeout)
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, out, err)


def environment(**settings: str) -> dict[str, str]:
    """This environment without Telegram or folder settings, with the package importable."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TELEGRAM_") and k not in {"KNOWLEDGE_DIR", "DATABASE_PATH"}}
    return {**env, "PYTHONPATH": str(ROOT), **settings}


def start_together(commands: Sequence[Sequence[str]], cwd: Path,
                   env: dict[str, str] | None = None,
                   stdin: Sequence[str] | None = None) -> list[Child]:
    """Start each [code, *args], wait until all are ready, then release them at once."""
    children = [Child(code, args, cwd, env or environment()) for code, *args in commands]
    for child in children:
        child.wait_ready()
    for child, text in zip(children, stdin or [""] * len(children), strict=True):
        child.release(text)
    return children


@contextmanager
def lock_held(database: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database's reload lock until the block ends (or the test
    kills it)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(database)], env=environment(),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield holder
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
