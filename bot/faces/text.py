"""An Answer in, plain text (console) or a JSON object (`ask --json`) out. Pure."""

from __future__ import annotations

from typing import Any

from bot.core.models import Answer, CitedPassage, Span
from bot.core.splitting import sentence_spans, width
from bot.faces.citations import citation_details, row_label
from bot.faces.reply import context_note, fold, layout

PLAIN_MARK = ("**", "**")
ANSI_BOLD = ("\033[1m", "\033[0m")


def citation(cited: CitedPassage, language: str, traditional: bool = False) -> str:
    """`[n] Title — source, URL, date, passage i/N` (or the spreadsheet row)."""
    p = cited.hit.passage
    details = citation_details(p, language, traditional, cited.other_language,
                               row=row_label(cited))
    return f"[{cited.number}] {p.title} — {', '.join(details)}"


# Passages are ranked whole, but a chat shows at most this many display columns of each: the
# answering sentence and the sentences around it. The full passage is one button (or the JSON
# output) away.
EXCERPT = 700


def excerpt(text: str, highlight: Span | None, limit: int = EXCERPT) -> tuple[str, Span | None]:
    """Whole sentences around the highlighted one, within `limit` columns, "…" where cut."""
    # A character is one or two columns: a long passage is over the limit without counting.
    if len(text) <= limit and width(text) <= limit:
        return text, highlight
    spans = sentence_spans(text)
    centre = next((i for i, s in enumerate(spans)
                   if highlight is not None and s.start == highlight.start), 0)
    lo = hi = centre
    used = width(text[spans[centre].start : spans[centre].end])
    grew = True
    while grew:
        grew = False
        for side in (hi + 1, lo - 1):  # after first: the sentences that follow read best
            if 0 <= side < len(spans):
                span = spans[side]
                extra = width(text[span.start : span.end]) + 1
                if used + extra <= limit:
                    used += extra
                    lo, hi = min(lo, side), max(hi, side)
                    grew = True
    start, end = spans[lo].start, spans[hi].end
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text.rstrip()) else ""
    shifted = (
        Span(highlight.start - start + len(prefix), highlight.end - start + len(prefix))
        if highlight is not None and start <= highlight.start and highlight.end <= end
        else None
    )
    return prefix + text[start:end] + suffix, shifted


def _marked(cited: CitedPassage, mark: tuple[str, str]) -> str:
    """The passage excerpt with its answering sentence wrapped in `mark`, paragraphs on their
    own lines."""
    text, span = excerpt(cited.hit.passage.text, cited.highlight)
    if span is not None:
        text = f"{text[: span.start]}{mark[0]}{text[span.start : span.end]}{mark[1]}{text[span.end :]}"
    return "\n".join(line for line in text.split("\n") if line.strip())


QUOTE = "│ "  # how a folded block is drawn in a terminal


def render_text(answer: Answer, mark: tuple[str, str] = PLAIN_MARK, full: bool = False) -> str:
    """The reply as plain text, laid out as on Telegram (bot/faces/reply.py): the lead and
    its citation, then each evidence block as Telegram shows it before it is tapped (its
    first lines and "…"), or whole with `full`."""
    note = context_note(answer)
    if not answer.passages:
        return answer.message + (f"\n\n↩ {note}" if note else "")
    shown = layout(answer.passages, len(answer.passages), True,
                   lambda c: excerpt(c.hit.passage.text, c.highlight)[0])
    parts: list[str] = []
    if shown.lead is not None and shown.lead_passage is not None:
        before = shown.lead.before + " " if shown.lead.before else ""
        parts.append(f"{before}{mark[0]}{shown.lead.sentence}{mark[1]}\n"
                     + citation(shown.lead_passage, answer.language, answer.traditional)
                     + (f"\n↩ {note}" if note else ""))
    for block in shown.blocks:
        items = [_marked(c, mark) if c is shown.lead_passage
                 else f"{citation(c, answer.language, answer.traditional)}\n{_marked(c, mark)}"
                 for c in block]
        text = "\n\n".join(items)
        if not full:
            text = fold(text)
            if text.count(mark[0]) > text.count(mark[1]):  # cut inside the bold sentence
                text += mark[1]
        parts.append("\n".join(QUOTE + line if line else QUOTE.rstrip()
                                for line in text.split("\n")))
    return "\n\n".join(parts)


def to_json(answer: Answer) -> dict[str, Any]:
    """The `ask --json` object; other tools depend on exactly these keys."""
    return {
        "question": answer.question,
        "language": answer.language,
        "status": answer.status.value,
        "answer": answer.message,
        "context": answer.context,
        "passages": [
            {
                "rank": c.number,
                "score": round(c.hit.score, 6),
                "confidence": None if c.confidence is None else round(c.confidence, 4),
                "doc_id": c.hit.passage.doc_id,
                "title": c.hit.passage.title,
                "source": c.hit.passage.source or c.hit.passage.url,
                "date": c.hit.passage.date,
                "passage": c.hit.passage.position,
                "passages_in_doc": c.hit.passage.count,
                "row": row_label(c),
                "text": c.hit.passage.text,
            }
            for c in answer.passages
        ],
    }
