"""Citation metadata inferred from a cleaned document: title, date and publisher.

Pure functions. Whatever the person who added the document stated (front matter, HTML meta
tags) wins; these rules only fill the gaps.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.language import HAN_CHAR
from bot.core.splitting import width
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

# Only the first lines are searched for a date: later dates are events in the story.
_HEAD_LINES = 8
# A title is a line, not a paragraph: past these many columns the first meaningful line is the
# text itself, and the document's name is the short line above it ("楼曾瑞"), when it has one.
TITLE_COLUMNS = 120
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    # 2022-11-24, 2022/11/24, 2022.11.24, 2022年11月24日
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"),
    # Nov 18, 2022 / November 18 2022
    re.compile(
        rf"\b(?P<mon>{_MONTH_NAMES})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})\b",
        re.IGNORECASE,
    ),
    # 18 November 2022
    re.compile(
        rf"\b(?P<d>\d{{1,2}})\s+(?P<mon>{_MONTH_NAMES})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b",
        re.IGNORECASE,
    ),
)
# /2022/11/18/ in a URL path
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/|$)")
_SOURCE_LABEL = re.compile(
    r"(?:来源|來源|出处|出處|source|publisher|published by)\s*[:：]\s*(?P<src>[^|｜\s][^|｜]{0,40}?)\s*(?:$|[|｜]|\s{2,}|(?:作者|编辑|編輯|责任编辑|責任編輯|author|editor)\s*[:：])",
    re.IGNORECASE,
)
# A line that only states when and where: "2022-11-24 11:38:44 來源:某網".
_DATELINE_REST = re.compile(
    r"^[\s\d:/.\-年月日时時分秒]*(?:(?:来源|來源|出处|出處|source|作者|编辑|編輯|author|editor)\s*[:：]\s*[^\s|｜]+\s*[|｜]?\s*)*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Inferred:
    """What the text itself says about a document."""

    title: str | None
    date: str | None
    source: str | None
    body: str


def _make_date(y: str, m: str | int, d: str) -> str | None:
    month = int(m) if isinstance(m, int) or m.isdigit() else _MONTHS.get(m.lower().rstrip("."), 0)
    try:
        return dt.date(int(y), month, int(d)).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """The first calendar date written in text, as YYYY-MM-DD."""
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            date = _make_date(parts["y"], parts.get("m") or parts.get("mon") or "", parts["d"])
            if date:
                return date
    return None


def date_from_url(url: str | None) -> str | None:
    """A date in a URL path such as /2022/11/18/, common on news sites."""
    if not url:
        return None
    match = _URL_DATE.search(url)
    return _make_date(match["y"], match["m"], match["d"]) if match else None


def is_meaningful_title(line: str) -> bool:
    """Long enough to name a document: four Latin words or six Han characters."""
    han = len(HAN_CHAR.findall(line))
    words = len(_LATIN_WORD.findall(line))
    return han >= 6 or words >= 4 or (han >= 2 and han + words * 2 >= 6)


def _is_dateline(line: str) -> bool:
    return find_date(line) is not None and _DATELINE_REST.match(_strip_dates(line)) is not None


def _strip_dates(line: str) -> str:
    for pattern in _DATE_PATTERNS:
        line = pattern.sub(" ", line)
    return line


def infer(text: str) -> Inferred:
    """Title (first meaningful line; the short line above it when that is a paragraph), date
    and publisher near the top, and the body to index.

    Short lines above the title (site labels such as "Example Title") are dropped from the
    body, and so is a dateline, whose facts are kept as metadata.
    """
    lines = text.split("\n")
    title_at = next((i for i, line in enumerate(lines) if is_meaningful_title(line)), None)
    title: str | None = lines[title_at].strip() if title_at is not None else None
    if title_at is not None and title is not None and width(title) > TITLE_COLUMNS:
        above = [i for i in range(title_at) if lines[i].strip()]
        if above and width(lines[above[-1]].strip()) <= TITLE_COLUMNS:
            title_at = above[-1]  # the name over the text, kept in the body too
            title = lines[title_at].strip()
        # else the paragraph's start, as fields.title cuts it, is the best name there is
    head = lines[: (title_at or 0) + _HEAD_LINES]
    head_text = "\n".join(head)
    date = find_date(head_text)
    source_match = _SOURCE_LABEL.search(head_text)
    source = source_match["src"].strip() if source_match else None

    body_lines = lines[title_at:] if title_at is not None else lines
    body_lines = [
        line for i, line in enumerate(body_lines) if not (i < _HEAD_LINES and _is_dateline(line))
    ]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(body_lines)).strip()
    return Inferred(title=title, date=date, source=source, body=body)
