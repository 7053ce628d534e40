"""Core: pure text and search.

Owns the values that flow between stages (models), the analyzer and its stop words, cleaning,
sentence splitting, the inverted index, BM25 and ranking, the in-memory search index, the
bilingual dictionary's lookups, answering and the bot's wording. Everything here is a function
of its arguments: text and tokens in, passages and answers out.

Must never import: telegram, aiosqlite, sqlite3, httpx, aiohttp, tornado, file or network code
(no mmap, tempfile, shutil, socket), the settings (`bot.config`: values are passed in), or any
other part of the bot (sources, store, engine, faces). Checked by import-linter
(`[tool.importlinter]` in pyproject.toml), in the test suite.
"""
