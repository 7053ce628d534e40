"""The local console: the same answers as on Telegram, typed in a terminal or piped in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator
from typing import TextIO

from bot.core.collections import EVERYTHING, Scope
from bot.core.models import Answer
from bot.engine.service import QAService
from bot.faces.citations import document_details
from bot.faces.text import ANSI_BOLD, PLAIN_MARK, render_text

HELP = """Type a question in English or Chinese and press Enter.
Evidence is folded as on a phone ("…"): /full shows the last answer whole.
Commands: /sources lists the documents, /reload re-reads the knowledge folder, /quit leaves.
输入中文或英文问题后按回车。/full 展开上一个回答，/sources 查看文档，/reload 重新加载，/quit 退出。"""
PROMPT = "? "
# At a terminal: back to the line's start and clear it, where the prompt waits.
_CLEAR_LINE = "\r\x1b[K"


class _Prompt:
    """Whether the console waits at its prompt, so a log line written meanwhile (start-up's
    background sync ends while the person types) goes above the prompt, not after it."""

    def __init__(self, stdout: TextIO) -> None:
        self.stdout = stdout
        self.waiting = False


class _AbovePrompt:
    """A terminal stream that, while the prompt waits, clears the prompt's line, writes, and
    shows the prompt again."""

    def __init__(self, stream: TextIO, prompt: _Prompt) -> None:
        self._stream = stream
        self._prompt = prompt

    def write(self, text: str) -> int:
        if not self._prompt.waiting:
            return self._stream.write(text)
        written = self._stream.write(_CLEAR_LINE + text)
        self._stream.flush()
        if text.endswith("\n"):
            self._prompt.stdout.write(PROMPT)
            self._prompt.stdout.flush()
        return written

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _logs_above(prompt: _Prompt) -> Iterator[None]:
    """Route the root logger's terminal streams through _AbovePrompt while the console runs;
    streams to files or pipes are left as they are."""
    swapped: list[tuple[logging.StreamHandler, TextIO]] = []
    for handler in logging.getLogger().handlers:
        stream = getattr(handler, "stream", None)
        if (type(handler) is logging.StreamHandler and stream is not None
                and getattr(stream, "isatty", lambda: False)()):
            swapped.append((handler, stream))
            handler.setStream(_AbovePrompt(stream, prompt))  # type: ignore[arg-type]
    try:
        yield
    finally:
        for handler, stream in swapped:
            handler.setStream(stream)


async def sources_text(service: QAService, scope: Scope = EVERYTHING) -> str:
    """One line a document the scope shows: title, source, date, passages."""
    docs = await service.documents(scope)
    if not docs:
        return "No documents yet. 还没有文档。"
    lines = [f"{len(docs)} documents:"]
    for d in docs:
        details = ", ".join(document_details(d))
        lines.append(f"- {d.title}" + (f" — {details}" if details else "") +
                     f" ({d.passages} passages, id {d.id})")
    return "\n".join(lines)


async def run_console(
    service: QAService, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
    full: bool = False, scope: Scope = EVERYTHING,
) -> None:
    """Answer each line; interactive with a prompt on a terminal, else until end of input.
    Answers are folded as Telegram shows them before a tap, or whole with `full`; `scope`
    is what a chat granted those collections would see."""
    interactive = stdin.isatty()
    if not interactive:
        await _answer_lines(service, stdin, stdout, full, scope, None)
        return
    documents, passages = service.counts(scope)
    shown = "" if scope.everything else f" in {scope.describe()}"
    print(f"{documents} documents, {passages} passages{shown}.", file=stdout)
    print(HELP, file=stdout)
    prompt = _Prompt(stdout)
    with _logs_above(prompt):
        await _answer_lines(service, stdin, stdout, full, scope, prompt)


async def _answer_lines(
    service: QAService, stdin: TextIO, stdout: TextIO, full: bool, scope: Scope,
    prompt: _Prompt | None,
) -> None:
    """The console's loop: with a `prompt` (at a terminal) one is shown before each line."""
    mark = ANSI_BOLD if stdout.isatty() else PLAIN_MARK
    last: Answer | None = None
    while True:
        if prompt is not None:
            print("\n" + PROMPT, end="", file=stdout, flush=True)
            prompt.waiting = True
        try:
            line = await asyncio.to_thread(stdin.readline)
        finally:
            if prompt is not None:
                prompt.waiting = False
        if not line:
            break
        command = line.strip().lower()
        if command in {"/quit", "/exit"}:
            break
        if command == "/help":
            reply = HELP
        elif command == "/sources":
            reply = await sources_text(service, scope)
        elif command == "/reload":
            reply = (await service.reload()).summary()
        elif command == "/full":
            reply = render_text(last, mark, full=True) if last else HELP
        else:
            last = await asyncio.to_thread(service.ask, line.rstrip("\n"), scope=scope)
            reply = render_text(last, mark, full)
        print(reply, file=stdout, flush=True)
        if prompt is None:
            print(file=stdout)
