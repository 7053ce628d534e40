"""Which library reads Office files and e-books: the bot's readers (python-docx, python-pptx,
openpyxl, odfpy, ebooklib, each directly) against markitdown, on English and Chinese files built
with those same libraries. Prints, per format, the time to read a typical file and whether the
facts a citation needs survive (title, date, a heading, a row's column names).

    .venv/bin/python benchmarks/office_formats.py            # timing and fidelity
    .venv/bin/python benchmarks/office_formats.py --sizes    # plus install size (pip, offline)

markitdown is optional (`pip install 'markitdown[docx,pptx,xlsx]'`): without it only the bot's
readers are timed.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.sources.parsing import parse  # noqa: E402
from tests.sources.office_files import (  # noqa: E402
    make_docx, make_epub, make_odt, make_pptx, make_xlsx,
)

PARAGRAPHS = 60  # a typical handbook: a few pages


def samples() -> dict[str, tuple[bytes, list[str]]]:
    """name -> (bytes, facts the text or metadata must keep)."""
    blocks = []
    for n in range(PARAGRAPHS // 6):
        blocks += [("h1", f"第{n + 1}章 图书馆开放时间"), ("p", "图书馆每天早上九点开门，晚上六点关门。" * 3),
                   ("h2", f"Section {n + 1}: Parking"), ("p", "Parking is free after six. " * 6),
                   ("p", "借书证可以在服务台办理。" * 4), ("p", "Children under twelve enter free. " * 5)]
    rows: list[list[object]] = [["Name", "Phone", "Opening hours"]]
    rows += [[f"Desk {n}", f"6152 {n:04d}", "9-18"] for n in range(500)] + [["王小容", "6152 0695", "10-17"]]
    slides = [(f"Slide {n}: 开放时间", ["Monday to Friday 9-18", "周末十点开门", "Closed on holidays"])
              for n in range(30)]
    chapters = [(f"Chapter {n}", [b[1] for b in blocks[:6]]) for n in range(10)]
    return {
        "handbook.docx": (make_docx("Library handbook", blocks),
                          ["Library handbook", "2024-03-05", "第1章 图书馆开放时间"]),
        "deck.pptx": (make_pptx("Visitor deck", slides),
                      ["Visitor deck", "Slide 3: 开放时间", "周末十点开门"]),
        "phones.xlsx": (make_xlsx({"Phones": rows}, title="Phone list"),
                        ["Phone list", "Phone: 6152 0695", "Name: 王小容"]),
        "handbook.odt": (make_odt("Library handbook", blocks),
                         ["Library handbook", "2024-03-05", "第1章 图书馆开放时间"]),
        "book.epub": (make_epub("The Library", chapters, language="zh"),
                      ["The Library", "2024-03-05", "第1章 图书馆开放时间"]),
    }


def bot_reader(name: str, data: bytes) -> str:
    doc = parse(name, data)
    return "\n".join(filter(None, (doc.title, doc.date, doc.text)))


def markitdown_reader() -> Callable[[str, bytes], str] | None:
    try:
        from markitdown import MarkItDown, StreamInfo
    except ImportError:
        return None
    converter = MarkItDown()

    def read(name: str, data: bytes) -> str:
        result = converter.convert_stream(io.BytesIO(data),
                                          stream_info=StreamInfo(extension=Path(name).suffix))
        return "\n".join(filter(None, (result.title, result.text_content)))

    return read


def timed(read: Callable[[str, bytes], str], name: str, data: bytes) -> tuple[float, str | None]:
    """Median seconds of five reads, and the text (None when the reader fails)."""
    times, text = [], None
    for _ in range(5):
        started = time.perf_counter()
        try:
            text = read(name, data)
        except Exception as exc:  # a converter without support for the format
            return 0.0, f"ERROR {type(exc).__name__}: {str(exc)[:60]}"
        times.append(time.perf_counter() - started)
    return sorted(times)[2], text


def install_size(*specs: str) -> float:
    """MB that `pip install --target` puts on disk for the specs, with their dependencies."""
    with tempfile.TemporaryDirectory() as target:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", target, *specs],
                       check=True, capture_output=True)
        return sum(p.stat().st_size for p in Path(target).rglob("*") if p.is_file()) / 2**20


def main() -> None:
    readers: dict[str, Any] = {"bot (direct libraries)": bot_reader}
    other = markitdown_reader()
    if other:
        readers["markitdown"] = other
    print(f"{'file':<15} {'reader':<24} {'KB':>5} {'ms':>8}  facts kept")
    for name, (data, facts) in samples().items():
        for label, read in readers.items():
            seconds, text = timed(read, name, data)
            if text is None or text.startswith("ERROR"):
                print(f"{name:<15} {label:<24} {len(data) // 1024:>5} {'-':>8}  {text}")
                continue
            kept = [f for f in facts if f in text]
            missing = [f for f in facts if f not in text]
            print(f"{name:<15} {label:<24} {len(data) // 1024:>5} {seconds * 1000:>8.1f}  "
                  f"{len(kept)}/{len(facts)}" + (f" (lost: {', '.join(missing)})" if missing else ""))
    if "--sizes" in sys.argv:
        print("\ninstall size with dependencies (MB, pip --target)")
        for specs in (["python-docx", "python-pptx", "openpyxl", "odfpy", "ebooklib"],
                      ["markitdown[docx,pptx,xlsx]"]):
            print(f"  {' '.join(specs):<60} {install_size(*specs):>6.0f}")


if __name__ == "__main__":
    main()
