"""Jiading Enterprise Service Assistant: logic with no Rasa import (except bot.rasa_ext)."""
