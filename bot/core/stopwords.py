"""Stop words of both languages: words that carry no topic, left out of index terms.

Kept as Python data, not files, so the analyzer reads nothing at run time."""

from __future__ import annotations

# English stop words: the Snowball project's English stop list (BSD licence).
ENGLISH = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom whose
this that these those am is are was were be been being have has had having do does did doing
would should could ought a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on off
over under again further then once here there when where why how all any both each few more
most other some such no nor not only own same so than too very can will just s t d ll m re ve
don
""".split())

# Chinese stop words (simplified; questions are converted before the lookup): function words
# and question words that carry no topic. Kept short on purpose: a Chinese word that names
# something is never listed here.
CHINESE = frozenset("""
的 了 着 过 是 在 和 与 及 或 也 都 就 还 又 而 并 但 被 把 对 从 向 给
让 由 于 为 以 之 其 此 这 那 这个 那个 这些 那些 这里 那里 哪 哪个 哪些
哪里 什么 甚么 怎么 怎样 怎么样 如何 为什么 为何 多少 几 谁 吗 呢 吧 啊 呀 嘛
么 我 你 他 她 它 我们 你们 他们 她们 它们 自己 一个 有 没有 个 请问 请 告诉
一下 吗 是否 能否 可以 会 要 将
""".split())
