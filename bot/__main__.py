"""`python -m bot`: the same as the `bot` command."""

from bot.faces.cli import main

if __name__ == "__main__":  # tokenising workers re-import this module: do not start again
    main()
