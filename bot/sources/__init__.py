"""Sources: bytes and folders in, documents and their terms out.

Owns reading a file's bytes into a Document (decoding, front matter, HTML and PDF text,
citation metadata), the scan of the knowledge folder and the prepare step of a reload (parse,
split), uploads (safe names, captions written into the file), tokenising a whole batch on every
core, and the caches built from installed data: the CC-CEDICT tables and jieba's dictionary,
kept in the bot's own cache folder.

May import the core. Must never import the store (SQLite), the engine or the faces: what it
produces is handed over as core values (`DocumentUpdate`), and the engine writes them.
"""
