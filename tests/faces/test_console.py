"""The console at a terminal: a log line written while the prompt waits goes above it."""

from __future__ import annotations

import io
import logging

from bot.engine.service import QAService
from bot.faces.console import PROMPT, run_console


class Terminal(io.StringIO):
    """What a terminal reads or shows, as far as the console can tell."""

    def isatty(self) -> bool:
        return True


class Typing(Terminal):
    """A person at the terminal: while the console waits for the first line, a log record
    is written (start-up's background sync ending), then a question, then /quit."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def readline(self, size: int | None = -1) -> str:
        if len(self.lines) == 2:
            logging.getLogger("bot.engine.service").info("knowledge folder synced: 2 added")
        return self.lines.pop(0) if self.lines else ""


async def test_a_log_line_goes_above_the_waiting_prompt(service: QAService) -> None:
    screen, errors = Terminal(), Terminal()
    handler = logging.StreamHandler(errors)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        await run_console(service, stdin=Typing(["东原社区有多少户居民？\n", "/quit\n"]),
                          stdout=screen)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    # The waiting prompt's line is cleared, the record written, and the prompt shown again.
    assert errors.getvalue() == "\r\x1b[Kknowledge folder synced: 2 added\n"
    shown = screen.getvalue()
    # A prompt before each line read, and the first shown again after the record.
    assert shown.count("\n" + PROMPT) == 2 and "\n" + PROMPT + PROMPT in shown
    assert "6126" in shown  # the question after it is still answered
    assert handler.stream is errors  # the stream is given back when the console ends


async def test_piped_lines_leave_log_streams_as_they_are(service: QAService) -> None:
    errors = Terminal()
    handler = logging.StreamHandler(errors)
    logging.getLogger().addHandler(handler)
    try:
        stdin = io.StringIO("东原社区有多少户居民？\n")
        out = io.StringIO()
        await run_console(service, stdin=stdin, stdout=out)
    finally:
        logging.getLogger().removeHandler(handler)
    assert "\n" + PROMPT not in out.getvalue() and "6126" in out.getvalue()
    assert handler.stream is errors
