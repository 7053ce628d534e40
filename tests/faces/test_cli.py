"""The command line, run as a user runs it: `python -m bot ...` in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from bot.faces.cli import main
from bot.config import Settings, load_settings
from tests.conftest import DATA, EN_SEED, ROOT, ZH_SEED


def run_bot(*args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    clean_env = {k: v for k, v in os.environ.items()
                 if k not in {"TELEGRAM_BOT_TOKEN", "KNOWLEDGE_DIR", "DATABASE_PATH"}}
    clean_env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, input=stdin, capture_output=True,
        text=True, env={**clean_env, **(env or {})}, timeout=120,
    )


def test_ask_json_prints_exactly_one_object(tmp_path: Path, knowledge: Path) -> None:
    result = run_bot("ask", "东原社区有多少户居民？", "--json", "-k", "2",
                     "--knowledge", str(knowledge), "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"question", "language", "status", "answer", "context", "passages"}
    # at most k passages, and only those the answer decision passes
    assert data["language"] == "zh" and 1 <= len(data["passages"]) <= 2
    first = data["passages"][0]
    assert first["doc_id"] == ZH_SEED and first["rank"] == 1 and "6126" in first["text"]
    assert first["date"] == "2022-11-24" and first["passages_in_doc"] >= first["passage"] >= 1
    assert isinstance(first["score"], float) and "6126" in data["answer"]
    assert data["status"] == "answered"
    # every passage shown passed the decision at the default strictness
    assert all(1 >= p["confidence"] >= Settings().strictness for p in data["passages"])


def test_ask_json_with_nothing_relevant(tmp_path: Path, knowledge: Path) -> None:
    result = run_bot("ask", "What is the capital of France?", "--json",
                     "--knowledge", str(knowledge), "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["passages"] == [] and data["language"] == "en"
    assert "couldn't find" in data["answer"]


def test_console_answers_piped_lines_and_exits(tmp_path: Path, knowledge: Path) -> None:
    result = run_bot("console", cwd=tmp_path, stdin="Who is Fu Linlin?\n\n/sources\n王小容是誰？\n",
                     env={"KNOWLEDGE_DIR": str(knowledge), "DATABASE_PATH": str(tmp_path / "c.db")})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Fu Linlin" in out and "[1] Volunteers Offer Hearty Support" in out
    assert "Please send me a question" in out  # the empty line
    assert "2 documents:" in out and "Volunteers Offer Hearty Support" in out
    assert "王小容" in out and "2022-11-24, 第 " in out  # the Chinese article's citation


def test_bare_command_without_token_starts_the_console(tmp_path: Path, knowledge: Path) -> None:
    result = run_bot("--knowledge", str(knowledge), "--db", str(tmp_path / "r.db"),
                     cwd=tmp_path, stdin="東原社區有多少戶居民？\n")
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "6126" in result.stdout


def test_reload_reports_what_changed(tmp_path: Path, knowledge: Path) -> None:
    db = str(tmp_path / "r.db")
    first = run_bot("reload", "--knowledge", str(knowledge), "--db", db, cwd=tmp_path)
    assert f"added: {EN_SEED}" in first.stdout and f"added: {ZH_SEED}" in first.stdout
    (knowledge / "broken.txt").write_bytes(b"\x00\xff" * 1000)
    (knowledge / EN_SEED).unlink()
    second = run_bot("reload", "--knowledge", str(knowledge), "--db", db, cwd=tmp_path)
    assert f"removed: {EN_SEED}" in second.stdout
    assert "skipped: broken.txt (" in second.stdout
    assert "0 added, 0 changed, 1 removed, 1 skipped, 1 unchanged" in second.stdout


def test_missing_knowledge_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run_bot("reload", "--knowledge", str(tmp_path / "nope"), "--db",
                     str(tmp_path / "d.db"), cwd=tmp_path)
    assert result.returncode != 0
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_eval_json_on_a_slice(tmp_path: Path) -> None:
    result = run_bot("eval", str(DATA / "squad_v1.1_dev_slice.json"), "--limit", "50", "--json",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"questions", "recall@1", "answered_wrong", "declined", "recall@5",
                         "mrr@10", "build_seconds", "questions_per_second"}
    assert abs(data["recall@1"] + data["answered_wrong"] + data["declined"] - 1) < 1e-3
    assert data["questions"] == 50
    assert 0 < data["recall@1"] <= data["recall@5"] <= 1
    assert data["recall@1"] <= data["mrr@10"] <= data["recall@5"]


def test_eval_counts_unrelated_questions_answered(tmp_path: Path) -> None:
    result = run_bot("eval", str(DATA / "squad_v1.1_dev_slice.json"), "--limit", "20",
                     "--unrelated", str(DATA / "squad_v1.1_dev_slice.json"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("unrelated answered"))
    assert line.endswith("% of 20")


def test_eval_takes_unrelated_questions_one_a_line(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "what is the boiling point of mercury"}\n'
                         "how many moons does neptune have\n", encoding="utf-8")
    result = run_bot("eval", str(DATA / "squad_v1.1_dev_slice.json"), "--limit", "5",
                     "--unrelated", str(questions), "--half", "even", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["unrelated_questions"] == 1


def test_settings_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    monkeypatch.delenv("TOP_K", raising=False)
    assert load_settings().knowledge_dir == Path("knowledge")  # default
    (tmp_path / ".env").write_text("KNOWLEDGE_DIR=from-dotenv\nTOP_K=4\n")
    assert load_settings().knowledge_dir == Path("from-dotenv")
    monkeypatch.setenv("KNOWLEDGE_DIR", "from-env")
    assert load_settings().knowledge_dir == Path("from-env")
    assert load_settings(knowledge_dir=Path("from-cli")).knowledge_dir == Path("from-cli")
    assert load_settings(knowledge_dir=None).top_k == 4


def _commands() -> list[str]:
    assert isinstance(main, click.Group)
    return sorted(main.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_takes_common_options_and_is_documented(name: str) -> None:
    command = main.commands[name]
    assert command.help
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    assert {"--knowledge", "--db"} <= options
    assert f"bot {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_links_out_and_hostile_names_as_a_user_meets_them(tmp_path: Path, knowledge: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=123456:AAHsecretsecretsecret\n")
    (knowledge / "faq.txt").symlink_to(tmp_path / ".env")
    (knowledge / "bad\nadded: forged.txt").write_text("Lost property is kept at the front desk.")
    db = str(tmp_path / "h.db")
    result = run_bot("reload", "--knowledge", str(knowledge), "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "added: forged.txt" not in lines and "added: bad\\x0aadded: forged.txt" in lines
    assert any(line.startswith("skipped: faq.txt (") and "outside" in line for line in lines)
    asked = run_bot("ask", "TELEGRAM_BOT_TOKEN", "--json", "--knowledge", str(knowledge),
                    "--db", db, cwd=tmp_path)
    assert "secret" not in asked.stdout and json.loads(asked.stdout)["passages"] == []


def test_ask_json_gives_small_talk_its_status(tmp_path: Path, knowledge: Path) -> None:
    result = run_bot("ask", "早上好", "--json", "--knowledge", str(knowledge),
                     "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["status"], data["passages"], data["language"]) == ("small_talk", [], "zh")


def test_add_refuses_a_page_on_the_bots_own_machine(tmp_path: Path, knowledge: Path) -> None:
    result = run_bot("add", "http://127.0.0.1:1/notes", cwd=tmp_path,
                     env={"KNOWLEDGE_DIR": str(knowledge), "DATABASE_PATH": str(tmp_path / "c.db")})
    assert result.returncode == 1
    assert "not added http://127.0.0.1:1/notes: 127.0.0.1 is a loopback address" in (
        result.stderr)
    assert "Traceback" not in result.stderr


def test_collection_options_search_only_those_collections(tmp_path: Path,
                                                          knowledge: Path) -> None:
    (knowledge / "staff").mkdir()
    (knowledge / "staff" / "rota.txt").write_text(
        "Staff rota\n\nThe night shift door code is 4471, and it changes every quarter.\n")
    common = ("--knowledge", str(knowledge), "--db", str(tmp_path / "x.db"))
    question = "What is the night shift door code?"
    staff = json.loads(run_bot("ask", question, "--json", "--collection", "staff", *common,
                               cwd=tmp_path).stdout)
    assert "4471" in staff["passages"][0]["text"]
    public = json.loads(run_bot("ask", question, "--json", "--collection", "default", *common,
                                cwd=tmp_path).stdout)
    assert not [p for p in public["passages"] if "4471" in p["text"]]
    console = run_bot("console", "--collection", "default", *common, cwd=tmp_path,
                      stdin=f"{question}\n/sources\n")
    assert "4471" not in console.stdout and "rota" not in console.stdout
    assert "2 documents:" in console.stdout
    unknown = run_bot("ask", question, "--collection", "nope", *common, cwd=tmp_path)
    assert unknown.returncode == 2
    assert "no collection named nope; there are: default, staff" in unknown.stderr


def test_eval_in_a_collection_is_unmoved_by_the_rest_of_the_folder(tmp_path: Path,
                                                                    knowledge: Path) -> None:
    (knowledge / "staff").mkdir()
    (knowledge / "staff" / "rota.txt").write_text("The night shift door code is 4471.\n")
    common = (str(DATA / "cmrc2018_dev_slice.json"), "--json", "--limit", "60",
              "--knowledge", str(knowledge))
    alone = json.loads(run_bot("eval", *common, cwd=tmp_path).stdout)
    scoped = json.loads(run_bot("eval", *common, "--collection", "cmrc", cwd=tmp_path).stdout)
    for key in ("questions", "recall@1", "answered_wrong", "declined", "recall@5", "mrr@10"):
        assert scoped[key] == alone[key], key
    bad = run_bot("eval", *common, "--collection", "../x", cwd=tmp_path)
    assert bad.returncode == 2 and "is not a collection name" in bad.stderr
