"""Jiading Enterprise Service Assistant: logic with no Rasa imports (except bot.channels)."""
