"""What the bot says, in English and simplified Chinese; traditional Chinese is converted.

Every front end (console, Telegram) takes its wording from here, so they answer alike.
"""

from __future__ import annotations

import functools

import opencc

_TEXTS: dict[str, dict[str, str]] = {
    "no_match": {
        "en": "I couldn't find anything about that in the {documents} documents I have. "
        "Try other words, or see what I know with /sources.",
        "zh": "抱歉，我在现有的 {documents} 份文档里没有找到与这个问题相关的内容。"
        "可以换个说法，或发送 /sources 查看我有哪些资料。",
    },
    # Replies to small talk (bot/core/smalltalk.py): what the bot knows and how to ask.
    "small_talk_greeting": {
        "en": "Hello! I answer questions from {documents} documents, with sources "
        "(/sources lists them). Just ask, in English or Chinese.",
        "zh": "你好！我根据 {documents} 份文档回答问题，并注明出处（发送 /sources 查看）。"
        "直接用中文或英文提问就行。",
    },
    "small_talk_thanks": {
        "en": "You're welcome! Ask me anything else about my {documents} documents (/sources).",
        "zh": "不客气！还可以继续问我这 {documents} 份文档里的内容（/sources 查看）。",
    },
    "small_talk_goodbye": {
        "en": "Goodbye! Come back any time with a question about my {documents} documents.",
        "zh": "再见！有关于这 {documents} 份文档的问题，随时来问。",
    },
    "small_talk_about": {
        "en": "I'm a bot that answers questions from {documents} documents and cites where "
        "each answer comes from. Send a question in English or Chinese; /sources lists the "
        "documents, /help says more.",
        "zh": "我是一个问答机器人，根据 {documents} 份文档回答问题，并注明每个答案的出处。"
        "请用中文或英文提问；/sources 列出文档，/help 有更多说明。",
    },
    "small_talk_laugh": {
        "en": "😄 Ask me anything about my {documents} documents (/sources).",
        "zh": "😄 有问题随时问我，我有 {documents} 份文档（/sources 查看）。",
    },
    "small_talk_ack": {
        "en": "OK! Ask me a question whenever you like; I know {documents} documents (/sources).",
        "zh": "好的！有问题随时问我，我有 {documents} 份文档（/sources 查看）。",
    },
    "small_talk_clock": {
        "en": "I can't see a clock or a calendar: I answer questions from my {documents} "
        "documents, with sources (/sources lists them).",
        "zh": "我看不到时间和日期，只能根据我的 {documents} 份文档回答问题，并注明出处"
        "（/sources 查看）。",
    },
    "no_documents": {
        "en": "I have no documents yet. An admin can add files to the knowledge folder and reload.",
        "zh": "我还没有任何文档。管理员可以把文件放进知识库文件夹，然后重新加载。",
    },
    "empty": {
        "en": "Please send me a question, for example: Who did Fu Linlin take to the hospital?",
        "zh": "请输入一个问题，例如：王小容做了哪些志愿服务？",
    },
    "no_words": {
        "en": "Your message has only symbols or emoji, so there is nothing I can search for. "
        "Please ask in words.",
        "zh": "您的消息里只有符号或表情，没有可以搜索的文字。请用文字提问。",
    },
    "too_long": {
        "en": "Your message is {length:,} characters long. Please ask a shorter question "
        "(at most {limit:,} characters).",
        "zh": "您的消息有 {length:,} 个字符，太长了。请把问题缩短到 {limit:,} 个字符以内。",
    },
    "help": {
        "en": "I answer questions from {documents} documents and cite where each answer comes "
        "from. Send a question in English or Chinese (simplified or traditional). In a group, "
        "mention me, reply to me, or write /ask and your question. /sources lists the documents.",
        "zh": "我根据 {documents} 份文档回答问题，并注明每个答案的出处。请用中文（简体或繁体）或英文"
        "提问。在群组里，请 @我、回复我的消息，或发送 /ask 加上问题。发送 /sources 查看文档列表。",
    },
    "ask_usage": {
        "en": "Write your question after /ask, for example: /ask Who is Fu Linlin?",
        "zh": "请在 /ask 后面写上问题，例如：/ask 王小容是谁？",
    },
    "rate_limited": {
        "en": "You are asking faster than I can keep up. Please wait {seconds} seconds and ask again.",
        "zh": "您提问太快了，请等 {seconds} 秒后再问。",
    },
    "not_allowed": {
        "en": "Sorry, this bot only answers its own members.",
        "zh": "抱歉，这个机器人只为指定的成员服务。",
    },
    "members_only": {"en": "Only for members", "zh": "仅限成员"},
    "rate_limited_button": {
        "en": "You are pressing faster than I can keep up. Please wait {seconds} seconds.",
        "zh": "您按得太快了，请等 {seconds} 秒。",
    },
    "vote_not_yours": {
        "en": "Only the person who asked can rate this answer.",
        "zh": "只有提问的人可以评价这个回答。",
    },
    "text_only": {
        "en": "I can only read text. Please type your question.",
        "zh": "我只能读文字消息，请把问题打出来。",
    },
    "error": {
        "en": "Sorry, something went wrong while answering. Please try again.",
        "zh": "抱歉，回答时出了点问题，请再试一次。",
    },
    "expired": {
        "en": "This answer is no longer available. Please ask again.",
        "zh": "这个回答已经失效，请重新提问。",
    },
    "bad_button": {
        "en": "This button is not valid. Please ask again.",
        "zh": "这个按钮无效，请重新提问。",
    },
    "admin_only": {
        "en": "Sorry, only the bot's admins can do that.",
        "zh": "抱歉，只有本机器人的管理员可以这样做。",
    },
    "admin_help": {
        "en": "Admin: /reload re-reads the knowledge folder; send a file (text, Markdown, HTML, "
        "PDF, Word, PowerPoint, Excel, CSV, OpenDocument text or EPUB; caption: Title | "
        "https://url) to add it; forward a message to add its text; /add URL adds a web page, or "
        "a site by its sitemap or root; "
        "/docs lists the documents; /remove ID removes one; /stats shows usage; /collections "
        "lists the collections (top-level folders) and /use NAME sets which ones a chat "
        "searches (a caption line \"collection: NAME\" or /add URL NAME adds into one).",
        "zh": "管理员：/reload 重新加载知识库；发送文件（文本、Markdown、HTML、PDF、Word、PowerPoint、"
        "Excel、CSV、OpenDocument 文本或 EPUB；说明文字：标题 | https://链接）即可添加；转发消息即添加其文字；"
        "/add 网址 "
        "添加网页，或按站点地图、网站首页添加整个网站；/docs 列出文档；/remove ID 删除文档；"
        "/stats 查看使用情况；/collections 列出文档集（顶层文件夹），/use 名称 设置聊天可检索的文档集"
        "（说明文字中写“collection: 名称”或 /add 网址 名称 即添加到该文档集）。",
    },
    "reload_busy": {
        "en": "A reload is already running. Try again when it has finished.",
        "zh": "已经有一次重新加载正在进行，请等它完成后再试。",
    },
    "reload_failed": {
        "en": "The reload failed, so the documents and answers stay as they were. Reason: {reason}",
        "zh": "重新加载失败，文档和回答保持原样。原因：{reason}",
    },
    "upload_too_large": {
        "en": "That file is {size:.1f} MB; files up to {limit:.1f} MB can be added.",
        "zh": "这个文件有 {size:.1f} MB，只能添加不超过 {limit:.1f} MB 的文件。",
    },
    "upload_too_large_stream": {
        "en": "That file is larger than {limit:.1f} MB, the most that can be added.",
        "zh": "这个文件超过了 {limit:.1f} MB，无法添加。",
    },
    "upload_download_failed": {
        "en": "I could not download that file ({reason}). Please send it again.",
        "zh": "无法下载这个文件（{reason}），请重新发送。",
    },
    "upload_refused": {
        "en": "I did not add {name}: {reason}.",
        "zh": "没有添加 {name}：{reason}。",
    },
    "upload_types": {
        "en": "I can only add .txt, .md, .html, .pdf, .docx, .pptx, .xlsx, .csv, .odt and .epub "
        "files; {name} is not one of them.",
        "zh": "只能添加 .txt、.md、.html、.pdf、.docx、.pptx、.xlsx、.csv、.odt 和 .epub 文件，"
        "{name} 不是这几种。",
    },
    "upload_duplicate": {
        "en": "{name} is already in the collection as {doc_id}, so I did not add it again.",
        "zh": "{name} 的内容已经在文档库中（{doc_id}），没有重复添加。",
    },
    "upload_added": {
        "en": "Added {name}: {passages} passages. It is cited as:",
        "zh": "已添加 {name}：共 {passages} 段。引用格式：",
    },
    "forward_no_text": {
        "en": "That message has no text to add: only its text, or a caption, can become a "
        "document. To add a file, send the file itself.",
        "zh": "这条消息没有可以添加的文字：只有消息的文字或说明文字才能成为文档。"
        "要添加文件，请直接发送文件本身。",
    },
    # Sent to the admins after a refresh round that found pages gone or out of reach.
    "refresh_kept": {"en": "Some pages added from the web could not be fetched again. They are "
                     "kept as they were until you remove them (/docs, /remove).",
                     "zh": "有些从网上添加的网页无法重新获取，已按原样保留，"
                     "如需删除请用 /docs 和 /remove。"},
    "remove_usage": {
        "en": "Write the document's id or its number from /docs after /remove, e.g. /remove 2",
        "zh": "请在 /remove 后面写上文档的 ID 或它在 /docs 中的编号，例如：/remove 2",
    },
    "remove_unknown": {
        "en": "There is no document {doc_id}. /docs lists them.",
        "zh": "没有文档 {doc_id}。发送 /docs 查看文档列表。",
    },
    "remove_confirm": {
        "en": "Remove “{title}” ({doc_id})? Its file is deleted from the knowledge folder.",
        "zh": "删除《{title}》（{doc_id}）吗？它的文件会从知识库文件夹中删除。",
    },
    "remove_yes": {"en": "Remove", "zh": "删除"},
    "remove_no": {"en": "Cancel", "zh": "取消"},
    "remove_cancelled": {"en": "Nothing was removed.", "zh": "没有删除任何文档。"},
    "feedback_thanks": {"en": "Thanks for the feedback!", "zh": "谢谢您的反馈！"},
    "no_more": {"en": "No more results.", "zh": "没有更多结果了。"},
    "more": {"en": "More results", "zh": "更多结果"},
    # The heading of a later page of results, which has no lead sentence of its own.
    "results_range": {"en": "Results {first}–{last} of {total}",
                      "zh": "第 {first}–{last} 条结果，共 {total} 条"},
    "back": {"en": "Back", "zh": "返回"},
    # A press on an old answer whose cited passages a reload changed or removed since.
    "changed": {"en": "The documents this answer cites have changed since. Please ask again.",
                "zh": "这个回答引用的文档已经更新，请重新提问。"},
    "context": {"en": "Context", "zh": "上下文"},
    "documents": {"en": "Documents", "zh": "文档"},
    "sources": {"en": "Sources", "zh": "来源"},
    # Said under the answer to a follow-up searched with the question it replied to
    # (Answer.context), so the user sees what the bot took it to be about.
    "follow_up_context": {"en": "Searched together with your earlier question: “{question}”",
                          "zh": "已结合你之前的问题一起查找：“{question}”"},
    # Said of a cited passage written in the other language than the question.
    "other_language": {"en": "in Chinese", "zh": "英文原文"},
    "passage": {"en": "passage {position}/{count}", "zh": "第 {position}/{count} 段"},
    "add_usage": {
        "en": "Send /add and the address of a web page (HTML or PDF), e.g. "
        "/add https://example.org/opening-hours",
        "zh": "发送 /add 加网页地址（HTML 或 PDF）即可添加，例如 /add https://example.org/opening-hours",
    },
    "add_confirm": {"en": "Add this page to the documents?", "zh": "把这个网页添加到文档库吗？"},
    "add_yes": {"en": "Add", "zh": "添加"},
    "add_cancelled": {"en": "Not added.", "zh": "没有添加。"},
    "add_site_started": {"en": "Reading the site's pages; this can take a while…",
                         "zh": "正在读取这个网站的网页，可能需要一些时间…"},
    "add_site_done": {"en": "Added {added} of {pages} pages:",
                      "zh": "已添加 {pages} 个网页中的 {added} 个："},
    # Collections (bot/core/collections.py): /collections and /use, for admins.
    "use_usage": {
        "en": "Send /use NAME (or NAME,NAME; * for every collection) to set what this chat "
        "searches, /use NAME ID for another chat or user (* for everyone not named), "
        "/use - [ID] to go back to the settings. /collections lists them.",
        "zh": "发送 /use 名称（多个用逗号分隔；* 表示全部）设置本聊天可检索的文档集，"
        "/use 名称 ID 设置其他聊天或用户（* 表示其余所有人），/use - [ID] 恢复为配置文件中的设置。"
        "/collections 列出全部文档集。",
    },
    "use_done": {"en": "{who} now searches: {names}.", "zh": "{who} 现在检索：{names}。"},
    "use_reset": {"en": "{who} follows the settings again.", "zh": "{who} 已恢复为配置文件中的设置。"},
    "use_nothing_to_reset": {"en": "{who} had no grant made here.",
                             "zh": "{who} 没有在这里设置过。"},
    "use_unknown": {"en": "No documents yet in: {names}.", "zh": "以下文档集还没有文档：{names}。"},
    "use_this_chat": {"en": "This chat", "zh": "本聊天"},
    "all_collections": {"en": "all collections", "zh": "全部文档集"},
    "collections_seen": {"en": "This chat searches: {names}.", "zh": "本聊天检索：{names}。"},
    "collection_line": {"en": "{name}: {documents} documents, {passages} passages",
                        "zh": "{name}：{documents} 份文档，{passages} 段"},
    "collections_none": {"en": "No collections yet.", "zh": "还没有文档集。"},
}


@functools.lru_cache(maxsize=1)
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def text(key: str, language: str, traditional: bool = False, **values: object) -> str:
    """The message `key` in the question's language and script."""
    message = _TEXTS[key]["zh" if language == "zh" else "en"].format(**values)
    if language == "zh" and traditional:
        message = _to_traditional().convert(message)
    return message


def bilingual(key: str, **values: object) -> str:
    """English and Chinese together, for a message whose language cannot be told."""
    return f"{text(key, 'en', **values)}\n{text(key, 'zh', **values)}"
