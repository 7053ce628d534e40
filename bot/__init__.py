"""A Telegram bot that answers questions from a document collection, with citations."""

__version__ = "0.1.0"
