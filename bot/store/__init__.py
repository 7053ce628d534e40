"""Store: SQLite and the saved index.

Owns the database file through aiosqlite (schema migrations in `migrations/`, documents,
passages and their terms), the usage log and its votes, the search index saved beside the
database with its memory-mapped passage texts, and backup and restore.

May import the core. Must never import sources (parsing, folders), the engine or the faces,
and never decides what to store: the engine tells it.
"""
