"""Faces: what people and programs talk to.

Owns the Telegram bot (`telegram/`), the console, the command line, the health and metrics
server, `bot doctor`, rendering answers as text and JSON, the reload and usage reports, and
evaluation. Faces call the engine's public methods (`QAService`) and render what it returns.

May import every other part, but never tokenises, ranks or builds an index itself: the analyzer,
the ranker, the index, the answer pipeline and the tokenising pool are off limits (checked by
import-linter), so a face can never drift from the answers the engine gives.
"""
