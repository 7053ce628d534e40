"""The command line: `bot` (or `python -m bot`) and its subcommands, built with click."""

from __future__ import annotations

import asyncio
import functools
import io
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from bot import logs
from bot.config import Settings, load_settings
from bot.core.collections import DEFAULT, EVERYTHING, GrantError, Scope, check_name
from bot.engine.service import QAService, UploadResult, UploadStatus
from bot.sources.crawling import is_site
from bot.faces.reports import refresh_text, report_lines
from bot.faces.text import render_text, to_json
from bot.sources.folder import FolderError
from bot.store.database import StorageError

log = logging.getLogger("bot")


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--knowledge and --db, accepted by the bare command and by every subcommand."""

    @click.option("--knowledge", "knowledge_dir", type=click.Path(path_type=Path),
                  help="Folder of documents to serve [env KNOWLEDGE_DIR; default knowledge].")
    @click.option("--db", "database_path", type=click.Path(path_type=Path),
                  help="SQLite database file [env DATABASE_PATH; default data/bot.sqlite3].")
    @click.pass_context
    @functools.wraps(func)
    def wrapper(ctx: click.Context, knowledge_dir: Path | None, database_path: Path | None,
                *args: Any, **kwargs: Any) -> Any:
        parent = ctx.obj or {}
        overrides = {
            "knowledge_dir": knowledge_dir or parent.get("knowledge_dir"),
            "database_path": database_path or parent.get("database_path"),
        }
        ctx.obj = overrides
        try:
            settings = load_settings(**overrides)
        except ValidationError as exc:
            raise click.UsageError(f"invalid setting: {exc}") from exc
        token = settings.telegram_bot_token
        logs.configure(settings.log_level, settings.log_format,
                       (token.get_secret_value(),) if token else ())
        try:
            return func(settings, *args, **kwargs)
        except (StorageError, FolderError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


@click.group(invoke_without_command=True)
@common_options
def main(settings: Settings) -> None:
    """Answer questions from a document collection, in English and Chinese, with citations.

    Without a subcommand: the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the console.
    """
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is None:
        ctx.invoke(run)


@main.command()
@common_options
def run(settings: Settings) -> None:
    """Start the Telegram bot, or the console when no token is set."""
    if settings.telegram_bot_token is None:
        click.echo("TELEGRAM_BOT_TOKEN is not set, so this is the local console "
                   "(the same answers the bot gives on Telegram).", err=True)
        asyncio.run(_console(settings))
        return
    from bot.faces.telegram.app import run as run_telegram

    run_telegram(settings)


async def _console(settings: Settings, full: bool = False,
                   collections: tuple[str, ...] = ()) -> None:
    from bot.faces.console import run_console

    # At a terminal a restart answers from the saved index at once while the folder syncs;
    # piped questions (a script's) wait for the sync, so their answers are the folder's now.
    service = await QAService.start(settings, serve_first=sys.stdin.isatty())
    try:
        await run_console(service, full=full, scope=await _scope(service, collections))
    finally:
        await service.close()


_FULL = click.option("--full", is_flag=True,
                     help="Print every evidence block whole, not folded as on a phone.")
_COLLECTION = click.option(
    "--collection", "collections", multiple=True, metavar="NAME",
    help="Search only this collection (a top-level folder of the knowledge folder; "
         f"{DEFAULT} for the files at its top), as a chat granted it does; repeatable.")


async def _scope(service: QAService, names: tuple[str, ...]) -> Scope:
    """The scope --collection names (everything without one); a name that is no collection
    of the folder is refused, with the ones there are."""
    if not names:
        return EVERYTHING
    try:
        wanted = frozenset(check_name(n) for n in names)
    except GrantError as exc:
        raise click.BadParameter(str(exc), param_hint="--collection") from exc
    known = await service.collections()
    unknown = sorted(wanted - set(known))
    if unknown:
        raise click.BadParameter(
            f"no collection named {', '.join(unknown)}; there are: {', '.join(known) or '-'}",
            param_hint="--collection")
    return Scope(wanted)


@main.command()
@common_options
@_FULL
@_COLLECTION
def console(settings: Settings, full: bool, collections: tuple[str, ...]) -> None:
    """Ask questions in the terminal; with piped input, answer each line and exit."""
    asyncio.run(_console(settings, full, collections))


@main.command()
@common_options
@click.argument("question")
@click.option("-k", "k", type=click.IntRange(1, 50), default=None,
              help="How many passages to return [default TOP_K, 3].")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_FULL
@_COLLECTION
def ask(settings: Settings, question: str, k: int | None, as_json: bool, full: bool,
        collections: tuple[str, ...]) -> None:
    """Answer one QUESTION."""

    async def go() -> str:
        service = await QAService.start(settings)
        try:
            answer = service.ask(question, k, scope=await _scope(service, collections))
        finally:
            await service.close()
        if as_json:
            return json.dumps(to_json(answer), ensure_ascii=False)
        return render_text(answer, full=full)

    click.echo(asyncio.run(go()))


@main.command()
@common_options
def reload(settings: Settings) -> None:
    """Re-read the knowledge folder: add, change and remove documents (after waiting for a
    reload another process is running on the same database)."""

    async def go() -> None:
        service = await QAService.start(settings, sync=False)
        try:
            report = await service.reload(progress=lambda m: click.echo(m, err=True))
        finally:
            await service.close()
        for line in report_lines(report):
            click.echo(line)
        click.echo(report.summary() + f", {service.passage_count} passages in all")

    asyncio.run(go())


@main.command()
@common_options
@click.argument("url")
@click.option("--sitemap", is_flag=True,
              help="Add the pages of the site: URL is its sitemap (or any page of it).")
@click.option("--collection", default=None, metavar="NAME",
              help="Add into this collection's folder (NAME/web/<host>/) [default: web/].")
def add(settings: Settings, url: str, sitemap: bool, collection: str | None) -> None:
    """Fetch the web page (HTML or PDF) at URL and add it to the knowledge folder, under
    web/<host>/, as fetched. A sitemap (….xml) or a site's root adds the site's pages."""

    async def go() -> list[UploadResult]:
        service = await QAService.start(settings)
        try:
            if sitemap or is_site(url):
                return await service.add_site(url, lambda m: click.echo(m, err=True),
                                              collection=collection)
            return [await service.add_page(url, collection=collection)]
        finally:
            await service.close()

    results = asyncio.run(go())
    for result in results:
        if result.status is UploadStatus.ADDED:
            title = result.passages[0].title if result.passages else result.name
            click.echo(f"added {result.name}: “{title}”, {len(result.passages)} passages")
        elif result.status is UploadStatus.DUPLICATE:
            click.echo(f"not added {result.name}: the same text is already document "
                       f"{result.doc_id}")
        else:
            click.echo(f"not added {result.name}: {result.reason}", err=True)
    if not any(r.status is UploadStatus.ADDED for r in results):
        raise click.ClickException("nothing was added")


@main.command(name="import-channel")
@common_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--username", default=None,
              help="The channel's public username, which the export does not hold: its posts "
                   "then get t.me/<username> links and the folder its live posts get.")
def import_channel(settings: Settings, file: Path, username: str | None) -> None:
    """Add the posts of a channel's export from Telegram Desktop (FILE, its result.json), one
    file a post under channels/<channel>/, then reload once. Posts already there are left as
    they are."""
    from bot.sources.channels import ExportError, post_file, read_export

    try:
        export = read_export(file.read_bytes(), username.lstrip("@") if username else None)
    except (OSError, ExportError) as exc:
        raise click.ClickException(f"nothing was added from {file}: {exc}") from exc

    async def go() -> list[UploadResult]:
        service = await QAService.start(settings, sync=False)
        try:
            # An export is the past: a post already there may have been edited since.
            return await service.put_files({p.path: post_file(p) for p in export.posts},
                                           replace=False)
        finally:
            await service.close()

    results = asyncio.run(go()) if export.posts else []
    for result in results:
        if result.status is UploadStatus.REFUSED:
            click.echo(f"not added {result.name}: {result.reason}", err=True)
    added, there = (sum(r.status is status for r in results)
                    for status in (UploadStatus.ADDED, UploadStatus.DUPLICATE))
    click.echo(f"{export.name}: {added} posts added, {there} already there, "
               f"{len(results) - added - there} refused; skipped {export.service} service "
               f"messages and {export.empty} posts without text; in channels/{export.folder}/")


@main.command()
@common_options
def refresh(settings: Settings) -> None:
    """Fetch the pages added from the web again, asking only for what changed; rewrite and
    reload those that did; report those gone (they are kept until removed)."""

    async def go() -> str:
        service = await QAService.start(settings)
        try:
            report = await service.refresh_web(lambda m: click.echo(m, err=True))
        finally:
            await service.close()
        return refresh_text(report)

    click.echo(asyncio.run(go()))


@main.command(name="eval")
@common_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(1), default=None, help="Ask only the first N questions.")
@click.option("--questions-from", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Take question texts from a parallel file with the same ids.")
@click.option("--unrelated", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None,
              help="Also ask these questions about other things (SQuAD file, or text / JSONL "
                   "one a line): how many get an answer.")
@click.option("--half", type=click.Choice(["all", "odd", "even"]), default="all",
              help="Of the --unrelated questions, only the odd (tuning) or even (report) ones.")
@click.option("--strictness-curve", "curve", is_flag=True,
              help="Also print, for each strictness, Recall@1 against unrelated answered.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--collection", "collections", multiple=True, metavar="NAME",
              help="Put FILE's paragraphs in this collection, beside the knowledge folder's "
                   "own, and ask as a chat that sees only the named ones; repeatable.")
def evaluate(settings: Settings, file: Path, limit: int | None, questions_from: Path | None,
             unrelated: Path | None, half: str, curve: bool, as_json: bool,
             collections: tuple[str, ...]) -> None:
    """Measure what users get on a SQuAD-format FILE: answered right first (Recall@1),
    answered wrong, declined, Recall@5, MRR@10, speed."""
    from bot.faces.evaluation import evaluate as run_eval

    try:
        names = tuple(check_name(n) for n in collections)
    except GrantError as exc:
        raise click.BadParameter(str(exc), param_hint="--collection") from exc
    result = asyncio.run(run_eval(file, settings, limit, questions_from, unrelated, half, curve,
                                  names))
    if as_json:
        click.echo(json.dumps(result.as_json()))
        return
    click.echo(f"questions            {result.questions}")
    click.echo(f"Recall@1             {100 * result.recall_at_1:.1f}  (answered, right passage first)")
    click.echo(f"answered wrong       {100 * result.answered_wrong:.1f}")
    click.echo(f"declined             {100 * result.declined:.1f}")
    click.echo(f"Recall@5             {100 * result.recall_at_5:.1f}")
    click.echo(f"MRR@10               {result.mrr_at_10:.3f}")
    click.echo(f"build seconds        {result.build_seconds:.1f}")
    click.echo(f"questions per second {result.questions_per_second:.0f}")
    if result.unrelated_answered is not None:
        click.echo(f"unrelated answered   {100 * result.unrelated_answered:.1f}% "
                   f"of {result.unrelated_questions}")
        click.echo(f"  with their answer  {100 * result.unrelated_answered_right:.1f}%")
    if result.curve:
        click.echo(f"strictness  Recall@1  unrelated answered   (default {settings.strictness})")
        for level, right, unrelated_share in result.curve:
            other = "" if unrelated_share is None else f"{100 * unrelated_share:17.1f}%"
            click.echo(f"{level:10.2f}  {100 * right:8.1f}{other}")


@main.command()
@common_options
def doctor(settings: Settings) -> None:
    """Check the set-up: settings, token, ids, knowledge folder, database, index."""
    from bot.faces.doctor import run_checks

    checks = run_checks(settings)
    for check in checks:
        click.echo(check.line())
    if not all(c.ok for c in checks):
        raise SystemExit(1)


@main.command()
@common_options
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(settings: Settings, path: Path) -> None:
    """Write a consistent copy of the database to PATH, even while the bot runs."""
    from bot.store.backup import backup as backup_db

    if not settings.database_path.exists():
        raise click.ClickException(f"no database at {settings.database_path}")
    backup_db(settings.database_path, path)
    click.echo(f"backed up {settings.database_path} to {path}")


@main.command()
@common_options
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(settings: Settings, path: Path) -> None:
    """Check the backup at PATH and put it in place of the database (stop the bot first)."""
    from bot.store.backup import restore as restore_db

    restore_db(path, settings.database_path)
    click.echo(f"restored {settings.database_path} from {path}")


@main.command()
@common_options
@click.option("--csv", "as_csv", is_flag=True,
              help="Print every logged question as CSV (passages, scores, votes) instead.")
def stats(settings: Settings, as_csv: bool) -> None:
    """Usage: questions per day, share with no passage, most asked, 👎, median answer time."""
    from bot.engine.service import logged_questions
    from bot.faces.reports import stats_text, summarize, write_csv

    logged = asyncio.run(logged_questions(settings.database_path))
    if as_csv:
        out = io.StringIO()
        write_csv(logged, out)
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(stats_text(summarize(logged)))
