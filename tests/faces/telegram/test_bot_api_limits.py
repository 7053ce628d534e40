"""The fake Bot API refuses what Telegram refuses, counted as Telegram counts."""

from __future__ import annotations

import pytest

from tests.faces.telegram.bot_api_limits import problem


def _send(text: str, parse_mode: str | None = "HTML", **extra: object) -> str | None:
    return problem("sendMessage", {"chat_id": 1, "text": text, "parse_mode": parse_mode, **extra})


def _button(text: str = "ok", data: str = "x") -> dict[str, object]:
    return {"inline_keyboard": [[{"text": text, "callback_data": data}]]}


def test_length_in_utf16_units_after_entities() -> None:
    assert _send("a" * 4096) is None
    assert _send("<b>" + "&amp;" * 4096 + "</b>") is None  # tags and entities count as shown
    assert _send("😀" * 2048) is None and _send("😀" * 2049) == "message is too long"
    assert _send("中" * 4097, parse_mode=None) == "message is too long"
    assert _send("<b> </b>") == "message text is empty"


@pytest.mark.parametrize("text", ["<script>x</script>", "<b>open", "a</b>", "<a>no href</a>"])
def test_html_telegram_cannot_parse(text: str) -> None:
    assert (_send(text) or "").startswith("can't parse entities")
    assert _send(text, parse_mode=None) is None


def test_buttons() -> None:
    assert _send("hi", reply_markup=_button()) is None
    assert _send("hi", reply_markup=_button(data="中" * 22)) == "BUTTON_DATA_INVALID"  # 66 bytes
    assert _send("hi", reply_markup=_button(data="")) == "BUTTON_DATA_INVALID"
    assert _send("hi", reply_markup=_button(text="x" * 65)) == "BUTTON_TEXT_INVALID"
    assert _send("hi", reply_markup=_button(text=" ")) == "BUTTON_TEXT_INVALID"
    row = [{"text": str(i), "callback_data": str(i)} for i in range(9)]
    assert _send("hi", reply_markup={"inline_keyboard": [row]}) == "too many buttons in a row"


def test_callback_answers_and_inline_results() -> None:
    assert problem("answerCallbackQuery", {"text": "x" * 200}) is None
    assert problem("answerCallbackQuery", {"text": "x" * 201}) == "MESSAGE_TOO_LONG"
    article = {"type": "article", "id": "1", "title": "t",
               "input_message_content": {"message_text": "x" * 4097}}
    assert problem("answerInlineQuery", {"results": [article]}) == "message is too long"
    assert problem("answerInlineQuery", {"results": [{**article, "id": "é" * 33}]}) \
        == "RESULT_ID_INVALID"
    many = [{**article, "id": str(i), "input_message_content": {"message_text": "x"}}
            for i in range(51)]
    assert problem("answerInlineQuery", {"results": many}) == "RESULTS_TOO_MUCH"
