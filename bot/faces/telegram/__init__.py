"""The Telegram face: python-telegram-bot handlers around the question-answering service."""
