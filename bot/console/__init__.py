"""The 12345 agent console: a static page (/console) and its staff API (bot.console.api)."""
