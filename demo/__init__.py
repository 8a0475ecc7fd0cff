"""`python -m bot demo`: the bot, the Bot API emulator and a web chat in one process; no token, no network."""
