"""Faces: what people and programs talk to.

Owns the Telegram bot (`telegram/`), the console, the command line, the health and metrics
server, `bot doctor`, rendering answers as text and JSON, the reload and usage reports, and
evaluation. Faces call the engine's public methods (`QAService`) and render what it returns.

May import every other part. Must never import the analyzer, the ranker, the index, the
answer pipeline, the dictionary or the tokenising pool (checked by import-linter): a face never
tokenises, ranks or builds an index itself, so it can never drift from the engine's answers.
"""
