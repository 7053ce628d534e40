"""The Telegram front end: python-telegram-bot handlers around the question-answering service."""
