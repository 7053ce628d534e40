"""An Answer in, plain text (console) or a JSON object (`ask --json`) out. Pure."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.models import Answer, CitedPassage

PLAIN_MARK = ("**", "**")
ANSI_BOLD = ("\033[1m", "\033[0m")


def citation(cited: CitedPassage, language: str, traditional: bool = False) -> str:
    """`[n] Title — source, URL, date, passage i/N`."""
    p = cited.hit.passage
    where = messages.text("passage", language, traditional, position=p.position, count=p.count)
    details = [d for d in (p.source, p.url, p.date) if d] + [where]
    if cited.other_language:
        details.append(messages.text("other_language", language, traditional))
    return f"[{cited.number}] {p.title} — {', '.join(details)}"


def marked_text(cited: CitedPassage, mark: tuple[str, str] = PLAIN_MARK) -> str:
    """The passage with its answering sentence wrapped in `mark`, paragraphs on their own lines."""
    text = cited.hit.passage.text
    span = cited.highlight
    if span is not None:
        text = f"{text[: span.start]}{mark[0]}{text[span.start : span.end]}{mark[1]}{text[span.end :]}"
    return "\n".join(line for line in text.split("\n") if line.strip())


def render_text(answer: Answer, mark: tuple[str, str] = PLAIN_MARK) -> str:
    """The whole reply as plain text: passages, then numbered citations."""
    if not answer.passages:
        return answer.message
    blocks = [f"[{c.number}] {marked_text(c, mark)}" for c in answer.passages]
    heading = messages.text("sources", answer.language, answer.traditional)
    cites = [citation(c, answer.language, answer.traditional) for c in answer.passages]
    return "\n\n".join(blocks) + f"\n\n{heading}:\n" + "\n".join(cites)


def to_json(answer: Answer) -> dict[str, Any]:
    """The `ask --json` object; other tools depend on exactly these keys."""
    return {
        "question": answer.question,
        "language": answer.language,
        "answer": answer.message,
        "passages": [
            {
                "rank": c.number,
                "score": round(c.hit.score, 6),
                "doc_id": c.hit.passage.doc_id,
                "title": c.hit.passage.title,
                "source": c.hit.passage.source or c.hit.passage.url,
                "date": c.hit.passage.date,
                "passage": c.hit.passage.position,
                "passages_in_doc": c.hit.passage.count,
                "text": c.hit.passage.text,
            }
            for c in answer.passages
        ],
    }
