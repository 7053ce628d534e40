"""The local console: the same answers as on Telegram, typed in a terminal or piped in."""

from __future__ import annotations

import asyncio
import sys
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
    mark = ANSI_BOLD if stdout.isatty() else PLAIN_MARK
    if interactive:
        documents, passages = service.counts(scope)
        shown = "" if scope.everything else f" in {scope.describe()}"
        print(f"{documents} documents, {passages} passages{shown}.", file=stdout)
        print(HELP, file=stdout)
    last: Answer | None = None
    while True:
        if interactive:
            print("\n? ", end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
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
        if not interactive:
            print(file=stdout)
