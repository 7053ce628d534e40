"""Engine: the running service.

Owns the one live SearchIndex and is the only code that swaps it: it opens the store, answers
questions through the core, reloads (scans through sources, writes through the store, loads
the new index and swaps it in under a lock), adds and removes documents, and keeps the metrics.

May import the core, sources and store. Must never import the faces (telegram, console, CLI,
health, evaluation): they call the engine, never the other way round.
"""
