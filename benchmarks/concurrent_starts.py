"""Processes started together on a fresh database, many times: how many fail, and how many
leave the database unusable (bricked) for every later start.

    python benchmarks/concurrent_starts.py                        # two `bot reload`s, 30 trials
    python benchmarks/concurrent_starts.py --trials 30 reload ask  # a reload and a starting bot

Each trial copies the seed documents into a fresh temporary folder. Every command is a fresh
`python -m bot` process that imports the bot, says it is ready, and waits at a barrier (a line on
its stdin); all are released at once, so their start-ups overlap as a cron job and a restarting
bot do. After they exit, a fresh `bot ask --json` checks that the database still works and
serves both seed documents. Prints one line a trial that went wrong and the totals.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "knowledge"
QUESTION = "Who did Fu Linlin take to the hospital?"
# Imports the bot, then waits at the barrier before running the command line.
CHILD = ("import sys; from bot.faces.cli import main; print('ready', flush=True); "
         "sys.stdin.readline(); main(args=sys.argv[1:], prog_name='bot')")
ARGS = {"reload": ["reload"], "ask": ["ask", QUESTION, "--json"]}


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TELEGRAM_") and k not in {"KNOWLEDGE_DIR", "DATABASE_PATH"}}
    return {**env, "PYTHONPATH": str(ROOT), "KNOWLEDGE_DIR": str(folder / "knowledge"),
            "DATABASE_PATH": str(folder / "data" / "bot.sqlite3")}


def _last_line(text: str, folder: Path, status: int) -> str:
    """The last line of an error output, with the trial's folder left out so lines compare."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].replace(str(folder), "<trial>") if lines else f"exit status {status}"


def trial(folder: Path, commands: list[str]) -> tuple[list[str], str | None]:
    """Run the commands together; the first error line of each that failed, and what the
    check afterwards found wrong (None when the database works)."""
    shutil.copytree(SEEDS, folder / "knowledge")
    env = _env(folder)
    children = [subprocess.Popen([sys.executable, "-c", CHILD, *ARGS[c]], env=env, cwd=folder,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for c in commands]
    for child in children:  # every one imported and waiting
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    failures = []
    for child in children:
        _, err = child.communicate(timeout=300)
        if child.returncode:
            failures.append(_last_line(err, folder, child.returncode))
    check = subprocess.run([sys.executable, "-m", "bot", *ARGS["ask"]], env=env, cwd=folder,
                           capture_output=True, text=True, timeout=300)
    if check.returncode:
        return failures, _last_line(check.stderr, folder, check.returncode)
    found = json.loads(check.stdout)["passages"]
    return failures, None if found else "the seed question finds nothing"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("commands", nargs="*", help=f"of {sorted(ARGS)}; default: reload reload")
    parser.add_argument("--trials", type=int, default=30)
    args = parser.parse_args()
    commands = args.commands or ["reload", "reload"]
    if not set(commands) <= set(ARGS):
        parser.error(f"commands are {sorted(ARGS)}")
    failed = bricked = 0
    errors: Counter[str] = Counter()
    for n in range(1, args.trials + 1):
        with tempfile.TemporaryDirectory(prefix="bot-concurrent-") as tmp:
            failures, broken = trial(Path(tmp), commands)
        failed += bool(failures)
        bricked += broken is not None
        errors.update(failures)
        if failures or broken:
            print(f"trial {n}: {len(failures)} of {len(commands)} failed; "
                  f"afterwards: {broken or 'works'}", flush=True)
    print(f"{' + '.join(commands)}, {args.trials} trials: {failed} with a failed process, "
          f"{bricked} left the database unusable")
    for line, count in errors.most_common():
        print(f"  {count} x {line}")


if __name__ == "__main__":
    main()
