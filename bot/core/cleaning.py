"""Text cleaning: Unicode normalisation, scraper artefacts and site boilerplate.

Pure functions, text in and text out. The boilerplate rules are plain regular expressions in
``BOILERPLATE_PATTERNS``; add one there to teach the cleaner a new kind of site chrome.
"""

from __future__ import annotations

import re
import unicodedata

# A pinyin note is one tone-marked syllable in brackets, left by scrapers after a Han character
# (or after the "?" / U+FFFD / private-use glyph that replaced one): 戰(zhàn), ?(jiān). After a
# lost character the opening bracket is often lost too: ?jiān). Requiring a tone mark keeps
# real parentheses such as (記者劉輝) or (Photo provided to X).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_NOTE = re.compile(
    r"(?:(?<=[^\sA-Za-z0-9(])\(|(?<=[?\ufffd]))[a-zü]*[" + _TONED + r"][a-zü]*\)"
)

# Characters that carry no text: C0/C1 controls (except tab and newline), zero-width marks,
# direction marks, byte-order marks, lone surrogates. Removed before pinyin notes are looked for.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"
    "\ud800-\udfff]"
)
# Glyphs standing for a character the scraper lost (private-use mojibake, the replacement
# character): they anchor pinyin notes, so they go only after the notes.
_LOST = re.compile("[\ue000-\uf8ff\ufffd]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")

# Lines that are site chrome rather than content, as (pattern, longest line it may drop).
# Matched case-insensitively against whole lines: strong signals (licence numbers, cookie
# consent) drop lines of up to 300 characters, weak ones (a bare "Privacy Policy" or "Home")
# only short lines, so a paragraph that merely mentions privacy or a hotline is never dropped.
BOILERPLATE_RULES: tuple[tuple[str, int], ...] = (
    # cookie and privacy banners
    (r"\bcookies?\b.*\b(agree|consent|settings|accept)|\b(agree|consent|accept)\b.*\bcookies?\b", 300),
    (r"\b(privacy (statement|policy|notice)|cookie policy|terms of (use|service))\b", 60),
    (r"^(i agree|i accept|accept( all)?( cookies)?|got it)$", 20),
    (r"隐私政策|隱私政策|使用条款|使用條款", 40),
    # registration and licence numbers (ICP, public-security filings, news licences)
    (r"icp\s*(备|備|证|證)|公网安备|公網安備", 300),
    (r"(许可证|許可證|网出证|網出證).{0,12}[:：]?\s*\S*\d{4}", 300),
    (r"\blicen[cs]e\s*(no\.?|number|#)\s*:?\s*\S*\d{4}", 300),
    # navigation
    (r"^(about\s*us|contact\s*us|home|menu|share|print|sitemap|site map|back to top)$", 30),
    (r"about\s*us\s*\|?\s*contact\s*us", 60),
    (r"关于我们|關於我們|关於我们|联系我们|聯繫我們|聯系我們|网站声明|網站聲明|意见反馈|意見反饋", 120),
    (r"^(leave|leaving) a (message|comment)$", 30),
    # copyright footers and site credits
    (r"copyright\s*(©|\(c\)|\d{4})|©\s*\d{4}|all rights reserved|版权所有|版權所有", 300),
    (r"^(主管单位|主管單位|主办单位|主辦單位|协办单位|協辦單位|承办单位|承辦單位|技术支持|技術支持)", 300),
    # hotlines, report lines and contact addresses: a label followed by a number or address
    (r"(hotline|report(ed)? by calling|telephone number|tel|phone|fax)\s*:?\s*\+?\(?\d[\d\s()-]{6,}", 300),
    (r"(热线|熱線|举报电话|舉報電話|电话|電話|传真|傳真)\s*[:：]?\s*\+?\d[\d\s-]{6,}", 300),
    (r"违法和不良信息|違法和不良信息", 300),
    (r"^for (any )?(inquiries|enquiries|questions)\b.*\b(e-?mail|contact|call)\b", 120),
    (r"^(e-?mail|tel|phone|fax)\s*:", 80),
)
_BOILERPLATE = tuple((re.compile(p, re.IGNORECASE), n) for p, n in BOILERPLATE_RULES)
_HAS_WORD = re.compile(r"\w")

# A line that ends a sentence is content; chrome (slogans, menus) usually does not.
_SENTENCE_END = re.compile(r"[.!?。！？;；:：…\"'”’」』)）]\s*$")
_SHORT_LINE = 100


def normalise(text: str) -> str:
    """NFKC-normalise, strip pinyin notes and invisible characters, and tidy white space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = _LOST.sub("", _PINYIN_NOTE.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines)


def is_boilerplate(line: str) -> bool:
    """True when a whole line is site chrome (banner, licence, navigation, footer, hotline)."""
    line = line.strip()
    return any(len(line) <= limit and p.search(line) for p, limit in _BOILERPLATE)


def _is_chrome_like(line: str) -> bool:
    """A short line without sentence-final punctuation: a slogan, a menu entry, a caption."""
    return len(line) <= _SHORT_LINE and not _SENTENCE_END.search(line)


def _footer_start(lines: list[str]) -> int:
    """Index where the trailing footer begins, or len(lines) when there is none.

    The footer is the last run of lines made only of boilerplate and chrome-like lines that
    contains at least one boilerplate line; chrome-like lines just above it (site slogans)
    belong to it too.
    """
    start = len(lines)
    seen_boilerplate = False
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if not _HAS_WORD.search(line):
            start = i
            continue
        if is_boilerplate(line):
            seen_boilerplate = True
            start = i
        elif _is_chrome_like(line):
            start = i
        else:
            break
    return start if seen_boilerplate else len(lines)


def strip_boilerplate(text: str) -> str:
    """Drop boilerplate lines anywhere and the trailing footer block; keep paragraph breaks."""
    lines = text.split("\n")
    lines = lines[: _footer_start(lines)]
    kept = [
        line for line in lines if not line or (_HAS_WORD.search(line) and not is_boilerplate(line))
    ]
    return _collapse_blank_lines("\n".join(kept))


def _collapse_blank_lines(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean(text: str) -> str:
    """The whole cleaning chain for raw document text."""
    return strip_boilerplate(normalise(text))


def clean_question(text: str) -> str:
    """Normalise a question the same way as documents, but without dropping any line."""
    return " ".join(normalise(text).split())
